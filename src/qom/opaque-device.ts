/**
 * Opaque devices: every user-creatable device type of the release that hotmem does not model is
 * still a type, built from the release's device data (compat/devices/): its `-device help` line
 * (category, bus, description) and its property table from device-list-properties. An instance
 * takes its place on its bus, checks each property value by the property's type and reads back
 * its defaults, exactly (a size of 2^64-1 stays 18446744073709551615); it has no behaviour.
 *
 * Device types whose behaviour matters to what hotmem models are not made opaque, so they stay
 * refused by name unless a device package models them: vfio-pci, which pins all guest RAM
 * (devices/vfio-pci builds its types from the same data), and the memory-bearing devices no
 * package models yet (MODELLED_ELSEWHERE says which). PCI bridges are opaque devices whose
 * secondary bus the machine adds (src/machine/pci-bridges.ts, which refuses the bridges it does
 * not model).
 */
import { HotmemError } from '../core/errors.js';
import { BeyondModelRange, parseScalar, type ScalarKind } from '../core/parse/input-visitor.js';
import { backendKind, isMacProperty, parseBackendRef, parseMac } from './backend-refs.js';
import { deviceData } from './device-data/load.js';
import { isExactInteger, type DefaultValue, type PropertyRow } from './device-data/format.js';
import type { PropertyInput } from './object-model.js';
import type { PropertyDef, QomValue } from './property.js';
import type { QomEnv } from './registry.js';
import type { TypeInfo } from './type-info.js';

/**
 * QOM types (of the release's data) whose descendants are not opaque, and why: an opaque instance
 * would leave out memory the host spends or guest RAM it pins, and answer wrongly without saying.
 */
const MODELLED_ELSEWHERE: readonly string[] = [
  // TYPE_VFIO_PCI_BASE: RAM is pinned for the device's DMA (devices/vfio-pci).
  'vfio-pci-base',
  'vfio-pci',
  // qxl and qxl-vga (Debian's 5.2 and 7.2 builds): four RAMBlocks (vram, vram64, vrom, vga) that
  // machines/pc/option-roms.ts does not model, so ram.total and `info ramblock` would be short.
  'pci-qxl',
  // ivshmem-plain and ivshmem-doorbell map a memory backend or a server's shared memory into the
  // guest: memory the host model would not account.
  'ivshmem-common',
];

/** The modelled ancestors an opaque type hangs from, nearest first. */
const MODELLED_PARENTS: readonly string[] = ['pci-device', 'device'];

const SCALAR_TYPES: Readonly<Record<string, ScalarKind>> = {
  bool: { kind: 'bool' },
  uint8: { kind: 'uint8' },
  uint16: { kind: 'uint16' },
  uint32: { kind: 'uint32' },
  int32: { kind: 'int32' },
};

/** 64-bit types: held exactly, as decimal text past 2^53 (qom-get visits them as integers). */
const WIDE_TYPES: Readonly<Record<string, ScalarKind>> = {
  uint64: { kind: 'uint64' },
  size: { kind: 'size' },
  int64: { kind: 'int64' },
  int: { kind: 'int64' },
};

/**
 * A qdev string property whose setter does more than store the text (a backend looked up by id,
 * a MAC address parsed): its description says so, as qdev-properties-system.c writes them.
 * backend-refs.ts checks block, chardev, netdev and audiodev references and MAC addresses; the
 * others (a tpm backend) are refused.
 */
const CHECKED_STRINGS: readonly RegExp[] = [/ to use as a backend/, /MAC Address/];

const exactValue = (value: QomValue): unknown => (typeof value === 'string' ? BigInt(value) : value);

/** The value as the property's visitor parses it, a 64-bit one exactly. */
function parseWide(kind: ScalarKind, property: string, input: PropertyInput, env: QomEnv): QomValue {
  const text = input.source === 'text' ? input.text : jsonInteger(kind, property, input.json);
  try {
    return parseScalar(kind, property, text, input.source === 'text' ? input.visitor : 'keyval', env.release).value;
  } catch (e) {
    if (e instanceof BeyondModelRange) return e.exact.toString();
    throw e;
  }
}

/** qobject_input_type_(u)int64: an integer (exact past 2^53), anything else refused by type. */
function jsonInteger(kind: ScalarKind, property: string, json: unknown): string {
  const integer = typeof json === 'bigint' || (typeof json === 'number' && Number.isSafeInteger(json));
  if (!integer) {
    throw kind.kind === 'int64'
      ? new HotmemError('qom.value-type', `Invalid parameter type for '${property}', expected: integer`, { property })
      : new HotmemError('parse.invalid-parameter-value', `Parameter '${property}' expects uint64`, { name: property });
  }
  const exact = BigInt(json);
  return (kind.kind !== 'int64' && exact < 0n ? (1n << 64n) + exact : exact).toString();
}

/** A default as QMP reports it, as the model holds it (undefined for none it can hold). */
function defaultOf(value: DefaultValue | undefined): QomValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (isExactInteger(value)) return value.$int;
  return typeof value === 'object' ? undefined : value;
}

/**
 * An enum property's values, from its description ("on/off/auto", "Error handling policy
 * (report/ignore/enospc/stop/auto)"), which qdev writes from the enum's members.
 */
function enumValues(description: string | null | undefined): readonly string[] | undefined {
  const list = description?.match(/(?:^|\()([\w-]+(?:\/[\w-]+)+)\)?$/)?.[1];
  return list?.split('/');
}

function propertyDef(type: string, row: PropertyRow, env: QomEnv): PropertyDef {
  const [name, typeName, description, value] = row;
  const base = {
    name,
    origin: 'field' as const,
    typeName,
    ...(description === undefined || description === null ? {} : { description }),
    ...(defaultOf(value) === undefined ? {} : { default: defaultOf(value) }),
  };
  const scalar = SCALAR_TYPES[typeName];
  if (scalar) return { ...base, type: scalar };
  const backend = backendKind(description);
  if (typeName === 'str' && backend) return { ...base, type: { kind: 'str' }, parse: (obj, input) => parseBackendRef(obj, name, backend, input) };
  if (typeName === 'str' && isMacProperty(description)) return { ...base, type: { kind: 'str' }, parse: (obj, input) => parseMac(obj, name, input) };
  if ((typeName === 'str' || typeName === 'string') && !CHECKED_STRINGS.some((r) => r.test(description ?? ''))) return { ...base, type: { kind: 'str' } };
  const wide = WIDE_TYPES[typeName];
  if (wide) return { ...base, type: wide, parse: (_obj, input) => parseWide(wide, name, input, env), visit: exactValue };
  const values = enumValues(description);
  if (values && !typeName.startsWith('link<') && !typeName.startsWith('child<')) {
    return { ...base, type: { kind: 'enum', typeName, values } };
  }
  // Links, lists, backends and the other special property types: read back, never set unchecked.
  return {
    ...base,
    type: { kind: 'str' },
    parse: () => {
      throw new HotmemError(
        'qom.opaque-property-unchecked',
        `hotmem does not check values of property '${type}.${name}' (of type ${typeName}${description ? `: ${description}` : ''}), so it sets none`,
        { type, property: name },
      );
    },
  };
}

/**
 * What a device package gives a type it models from the release's data (vfio-pci): its
 * lifecycle hooks and its own parsing of the properties whose values it reads (by name, given
 * the definition built from the data).
 */
export interface DataTypeBehaviour {
  readonly realize: NonNullable<TypeInfo['realize']>;
  readonly unrealize: NonNullable<TypeInfo['unrealize']>;
  readonly properties?: Readonly<Record<string, (def: PropertyDef) => PropertyDef>>;
}

/** The opaque type QEMU's `name` is in this release and target, if it is one. */
export function opaqueDeviceType(name: string, env: QomEnv, modelled: (type: string) => TypeInfo | undefined): TypeInfo | undefined {
  return dataDeviceType(name, env, modelled);
}

/**
 * A device type of the release's data: opaque without `behaviour`, else modelled with it. Only
 * a behaviour's type may be one of MODELLED_ELSEWHERE.
 */
export function dataDeviceType(
  name: string,
  env: QomEnv,
  modelled: (type: string) => TypeInfo | undefined,
  behaviour?: DataTypeBehaviour,
): TypeInfo | undefined {
  const data = deviceData(env.release, env.target);
  const listing = data?.listing.find((d) => d.name === name);
  const table = data?.properties(name);
  if (!data || !listing || table?.kind !== 'table') return undefined;
  if (!behaviour && MODELLED_ELSEWHERE.some((t) => data.isA(name, t))) return undefined;
  const parent = MODELLED_PARENTS.find((p) => data.isA(name, p) && modelled(p));
  if (parent === undefined) return undefined;
  const inherited = inheritedNames(parent, modelled);
  let properties: readonly PropertyDef[] | undefined;
  return {
    name,
    parent,
    category: listing.category,
    userCreatable: true,
    // DeviceClass.hotpluggable as the release's binary answered device_add; an opaque type it
    // could not be asked about is refused by device_add (qom.opaque-hotplug).
    ...(data.hotpluggable(name) === undefined ? {} : { hotpluggable: data.hotpluggable(name) }),
    ...(behaviour ? { helpFromData: true, realize: behaviour.realize, unrealize: behaviour.unrealize } : { opaque: true }),
    ...(listing.desc === undefined ? {} : { description: listing.desc }),
    ...(listing.bus === undefined || parent === 'pci-device' ? {} : { bus: listing.bus }),
    // Made when first read: a vCPU's type has 500, which most starts never read.
    get properties() {
      return (properties ??= table.rows
        .filter((row) => !inherited.has(row[0]))
        .map((row) => {
          const def = propertyDef(name, row, env);
          return behaviour?.properties?.[def.name]?.(def) ?? def;
        }));
    },
  };
}

function inheritedNames(parent: string, modelled: (type: string) => TypeInfo | undefined): Set<string> {
  const names = new Set<string>();
  for (let t = modelled(parent); t; t = t.parent === undefined ? undefined : modelled(t.parent)) for (const p of t.properties ?? []) names.add(p.name);
  return names;
}
