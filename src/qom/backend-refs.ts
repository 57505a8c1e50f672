/**
 * A device's backend references (qdev-properties-system.c: drive=, chardev=, netdev=,
 * audiodev=) and its MAC address, as the properties' setters check them: a backend is looked up
 * by id among those the command line created, a chardev is taken by one user only, a MAC is six
 * hex pairs. The ids come from the front end (MachineOptions.backends) as a model service.
 */
import { HotmemError } from '../core/errors.js';
import { key } from '../core/keys.js';
import { compareReleases, type Release } from '../core/release.js';
import type { QomObject } from './object.js';
import type { PropertyInput } from './object-model.js';
import type { QomValue } from './property.js';

export type BackendKind = 'block' | 'chardev' | 'netdev' | 'audiodev';

/** The backends that exist, by kind (block: node names), and the chardevs a monitor holds. */
export interface BackendIds {
  readonly ids: Readonly<Record<BackendKind, ReadonlySet<string>>>;
  readonly heldChardevs: ReadonlySet<string>;
}

export const BACKEND_IDS = key<BackendIds>('backend-ids');

/** The qdev string properties whose setter looks up a backend, by the description qdev gives them. */
const BACKEND_DESCRIPTIONS: ReadonlyArray<readonly [BackendKind, string]> = [
  ['block', 'Node name or ID of a block device to use as a backend'],
  ['chardev', 'ID of a chardev to use as a backend'],
  ['netdev', 'ID of a netdev to use as a backend'],
  ['audiodev', 'ID of an audiodev to use as a backend'],
];

/** qdev_prop_macaddr's description (DEFINE_PROP_MACADDR). */
const MAC_DESCRIPTION = /^Ethernet 6-byte MAC Address/;

export const backendKind = (description: string | null | undefined): BackendKind | undefined => BACKEND_DESCRIPTIONS.find(([, d]) => d === description)?.[0];

export const isMacProperty = (description: string | null | undefined): boolean => MAC_DESCRIPTION.test(description ?? '');

const textOf = (property: string, input: PropertyInput): string => {
  if (input.source === 'text') return input.text;
  if (typeof input.json !== 'string') throw new HotmemError('qom.value-type', `Invalid parameter type for '${property}', expected: string`, { property });
  return input.json;
};

const notFound = (type: string, property: string, id: string) =>
  new HotmemError('qdev.backend-not-found', `Property '${type}.${property}' can't find value '${id}'`, { type, property, id });

/**
 * The type QEMU names in a device property's messages: a virtio proxy's properties are aliases
 * of its virtio-backend child's, so their setters name the child's type (virtio-net-device).
 */
export function propertyOwner(obj: QomObject): string {
  const child = obj.model.view
    .properties(obj.type)
    .get('virtio-backend')
    ?.def.typeName?.match(/^child<(.+)>$/)?.[1];
  return child ?? obj.type;
}

/**
 * qemu_chr_fe_init's refusal of a chardev another frontend holds: QERR_DEVICE_IN_USE until 9.0
 * (Markus Armbruster, "char: Slightly better error reporting when chardev is in use").
 */
export const chardevInUse = (id: string, release: Release): string =>
  compareReleases(release, { major: 9, minor: 0 }) >= 0 ? `chardev '${id}' is already in use` : `Device '${id}' is in use`;

/**
 * The backend's id, checked as its setter checks it (set_drive, set_chardev, set_netdev,
 * set_audiodev). A block node two devices attach to is a matter of block permissions, which
 * hotmem does not model: it refuses the second by name rather than accept what QEMU may not.
 */
export function parseBackendRef(obj: QomObject, property: string, kind: BackendKind, input: PropertyInput): QomValue {
  const id = textOf(property, input);
  const type = propertyOwner(obj);
  const backends = obj.model.services.get(BACKEND_IDS);
  if (kind === 'audiodev') {
    if (!backends?.ids.audiodev.has(id)) throw new HotmemError('qdev.backend-not-found', `audiodev '${id}' not found`, { type, property, id });
    return id;
  }
  // set_netdev and set_chardev look the id up with nothing to find at all for an empty one.
  if (!backends?.ids[kind].has(id)) throw notFound(type, property, id);
  const user = otherUser(obj, kind, id);
  if (kind === 'chardev' && (user !== undefined || backends.heldChardevs.has(id))) {
    throw new HotmemError('qdev.backend-in-use', `Property '${type}.${property}' can't take value '${id}': ${chardevInUse(id, obj.model.env.release)}`, {
      type,
      property,
      id,
    });
  }
  if (kind === 'block' && user !== undefined) {
    throw new HotmemError(
      'qdev.block-shared',
      `hotmem does not model block permissions, so it refuses a second device on node '${id}' (${user.path()} has it)`,
      { type, property, id },
    );
  }
  return id;
}

/** Another device already holding the backend through a property of the same kind. */
function otherUser(obj: QomObject, kind: BackendKind, id: string): QomObject | undefined {
  const view = obj.model.view;
  return obj.model
    .objectsOfType('device')
    .find(
      (d) =>
        d !== obj &&
        d.storedEntries().some(([name, value]) => value === id && backendKind(descriptionOf(view.properties(d.type).get(name)?.def.description)) === kind),
    );
}

const descriptionOf = (d: string | readonly { readonly value: string }[] | undefined): string | undefined => (typeof d === 'string' ? d : d?.at(-1)?.value);

/** qdev_prop_set_macaddr's parse: six pairs of hex digits, each pair but the last followed by ':' or '-'. */
export function parseMac(obj: QomObject, property: string, input: PropertyInput): QomValue {
  const type = propertyOwner(obj);
  const text = textOf(property, input);
  const valid = /^[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}$/.test(text);
  if (!valid) throw new HotmemError('qdev.prop-value', `Property '${type}.${property}' doesn't take value '${text}'`, { type, property, text });
  // get_mac prints what was parsed: lower-case pairs joined by ':'.
  return text.toLowerCase().replaceAll('-', ':');
}
