/**
 * qmp_qom_list_properties: every property of a fresh instance of a QOM type (an abstract type's
 * class properties), as management layers probe them. Device types answer from the table read
 * from the release's binary (compat/devices/) plus what device-list-properties leaves out: the
 * base device properties and qdev's legacy-* string views. Object types answer from hotmem's own
 * tables, which help and -object check against the binaries. QEMU lists them in its hash table's
 * order; hotmem keeps table order.
 */
import { compareReleases, releaseName, type Release } from '../core/release.js';
import type { DefaultValue, PropertyRow } from './device-data/format.js';
import type { DeviceData } from './device-data/load.js';
import type { ObjectModel } from './object-model.js';
import { typeString } from './property.js';

export interface QomPropertyInfo {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly defaultValue?: DefaultValue;
}

export type QomListPropertiesAnswer =
  | { readonly kind: 'properties'; readonly properties: readonly QomPropertyInfo[] }
  | { readonly kind: 'error'; readonly errorClass: 'DeviceNotFound' | 'GenericError'; readonly message: string };

const generic = (message: string): QomListPropertiesAnswer => ({ kind: 'error', errorClass: 'GenericError', message });

/** The `device` base type's own properties, which device-list-properties skips. */
const DEVICE_BASE: readonly QomPropertyInfo[] = [
  { name: 'type', type: 'string' },
  { name: 'parent_bus', type: 'link<bus>' },
  { name: 'realized', type: 'bool' },
  { name: 'hotplugged', type: 'bool' },
  { name: 'hotpluggable', type: 'bool' },
];

/**
 * qdev's legacy-NAME properties (a string view of a property that prints itself or has no
 * getter), which device-list-properties hides. Read from the binaries: 5.2 and 7.2 have one for
 * a PCI device's addr, 10.0 also one per link property, and 11.1 none. Releases between are
 * refused with "no device table", so nothing else depends on these bounds.
 */
function legacyRows(release: Release, rows: readonly PropertyRow[]): QomPropertyInfo[] {
  if (compareReleases(release, { major: 11, minor: 0 }) >= 0) return [];
  const linksToo = compareReleases(release, { major: 10, minor: 0 }) >= 0;
  return rows.filter(([name, type]) => name === 'addr' || (linksToo && type.startsWith('link<'))).map(([name]) => ({ name: `legacy-${name}`, type: 'str' }));
}

/**
 * A device's rows carry their defaults from 10.0's binary on; 5.2's and 7.2's qom-list-properties
 * reported none (device-list-properties did).
 */
const devicesReportDefaults = (release: Release): boolean => compareReleases(release, { major: 10, minor: 0 }) >= 0;

export function qomListProperties(model: ObjectModel, data: DeviceData, typename: string): QomListPropertiesAnswer {
  const release = model.env.release;
  const row = data.type(typename);
  if (!row) return { kind: 'error', errorClass: 'DeviceNotFound', message: `Class '${typename}' not found` };
  if (!data.isA(typename, 'object')) {
    // Markus Armbruster's message tweaks of December 2020 (6.0).
    return generic(compareReleases(release, { major: 6, minor: 0 }) >= 0 ? "Parameter 'typename' expects a QOM type" : "Parameter 'typename' expects object");
  }
  const abstract = row[2];
  if (data.isA(typename, 'device')) {
    if (abstract) return generic(`hotmem has no class property table for the abstract device type '${typename}' (QEMU ${releaseName(release)} lists them)`);
    const table = data.properties(typename);
    if (!table) throw new Error(`internal: ${typename} is a non-abstract device of the release's table without properties`);
    if (table.kind === 'unloadable') return generic(table.message);
    const defaults = devicesReportDefaults(release);
    const own = table.rows.map(([name, type, description, defaultValue]) => ({
      name,
      type,
      ...(description === undefined || description === null ? {} : { description }),
      ...(defaults && defaultValue !== undefined ? { defaultValue } : {}),
    }));
    return { kind: 'properties', properties: [...DEVICE_BASE, ...own, ...legacyRows(release, table.rows)] };
  }
  if (!model.view.exists(typename)) {
    return generic(`hotmem has no property table for object type '${typename}' (QEMU ${releaseName(release)} has the type; its properties are not modelled)`);
  }
  const properties: QomPropertyInfo[] = [];
  for (const { def } of model.propertiesOf(typename).values()) {
    if (def.type.kind === 'child') continue;
    const description = model.descriptionOf(def);
    // Object properties are QOM ones: a default exists only for qdev fields.
    const fallback = def.origin === 'field' ? model.defaultOf(def) : undefined;
    properties.push({
      name: def.name,
      type: typeString(def),
      ...(description === undefined ? {} : { description }),
      ...(fallback === undefined ? {} : { defaultValue: fallback }),
    });
  }
  return { kind: 'properties', properties };
}
