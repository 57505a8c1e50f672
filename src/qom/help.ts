/**
 * `-device help`, `-device TYPE,help` and `-object TYPE,help` as QEMU prints them
 * (system/qdev-monitor.c, qom/object.c object_property_help), generated from the property tables.
 */
import { compareReleases, type Release } from '../core/release.js';
import { isExactInteger, type DefaultValue, type DeviceListing, type PropertyRow } from './device-data/format.js';
import type { ObjectModel } from './object-model.js';
import { typeString } from './property.js';
import { DEVICE_CATEGORIES } from './type-info.js';

/** Byte-wise comparison, as C's strcmp sorts. */
export const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How a default prints. Up to 9.2 QEMU rendered it as JSON (`true`, `"auto"`); from 10.0
 * strings print raw and booleans as on/off (commit 36324c6774).
 */
function renderDefault(release: Release, value: DefaultValue): string {
  const modern = compareReleases(release, { major: 10, minor: 0 }) >= 0;
  if (modern && typeof value === 'boolean') return value ? 'on' : 'off';
  if (modern && typeof value === 'string') return value;
  if (isExactInteger(value)) return value.$int;
  return JSON.stringify(value);
}

/** object_property_help: `  name=<type>`, padded to column 24 before ` - description (default: x)`. */
export function propertyHelpLine(name: string, type: string, description: string | undefined, defaultText: string | undefined): string {
  let line = `  ${name}=<${type}>`;
  if (description !== undefined || defaultText !== undefined) line = `${line.padEnd(24)} - `;
  if (description !== undefined) line += description;
  if (defaultText !== undefined) line += ` (default: ${defaultText})`;
  return line;
}

/** The sorted lines under `TYPE options:`, or QEMU's sentence for a type without any. */
function optionsText(type: string, lines: string[]): string {
  lines.sort(strcmp);
  return lines.length === 0 ? `There are no options for ${type}.\n` : `${type} options:\n${lines.map((l) => `${l}\n`).join('')}`;
}

function optionsHelp(model: ObjectModel, type: string, include: (readOnly: boolean, hidden: boolean) => boolean): string {
  const lines: string[] = [];
  for (const { def } of model.propertiesOf(type).values()) {
    if (!include(def.readOnly === true || def.type.kind === 'child', def.hiddenFromHelp === true)) continue;
    // QEMU records a default (defval) for qdev fields; custom properties set theirs in instance_init.
    const fallback = def.origin === 'field' ? model.defaultOf(def) : undefined;
    lines.push(
      propertyHelpLine(def.name, typeString(def), model.descriptionOf(def), fallback === undefined ? undefined : renderDefault(model.env.release, fallback)),
    );
  }
  return optionsText(type, lines);
}

/** qdev_device_help from a device-list-properties table read from the release's binary. */
export function tableOptionsHelp(release: Release, type: string, rows: readonly PropertyRow[]): string {
  return optionsText(
    type,
    rows.map(([name, propertyType, description, defaultValue]) =>
      propertyHelpLine(name, propertyType, description ?? undefined, defaultValue === undefined ? undefined : renderDefault(release, defaultValue)),
    ),
  );
}

/** qdev_device_help: every property of an instance but the hidden base ones, sorted by strcmp. */
export function deviceOptionsHelp(model: ObjectModel, driver: string): string {
  return optionsHelp(model, driver, (_readOnly, hidden) => !hidden);
}

/** type_print_class_properties: the settable class properties. */
export function objectOptionsHelp(model: ObjectModel, type: string): string {
  return optionsHelp(model, type, (readOnly, hidden) => !readOnly && !hidden);
}

/** qdev_print_devinfos: the user-creatable devices by category, as the release's binary lists them. */
export function deviceListHelp(listing: readonly DeviceListing[]): string {
  let out = '';
  DEVICE_CATEGORIES.forEach((category, index) => {
    const members = listing.filter((d) => d.category === category);
    if (members.length === 0) return;
    out += `${index > 0 ? '\n' : ''}${category} devices:\n`;
    for (const d of members) {
      out += `name "${d.name}"${d.bus ? `, bus ${d.bus}` : ''}${d.alias ? `, alias "${d.alias}"` : ''}${d.desc !== undefined ? `, desc "${d.desc}"` : ''}\n`;
    }
  });
  return out;
}
