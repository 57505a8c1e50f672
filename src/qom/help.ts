/**
 * `-device help`, `-device TYPE,help` and `-object TYPE,help` as QEMU prints them
 * (system/qdev-monitor.c, qom/object.c object_property_help), generated from the property tables.
 */
import { compareReleases } from '../core/release.js';
import type { ObjectModel } from './object-model.js';
import { typeString, type QomValue } from './property.js';
import { DEVICE_CATEGORIES } from './type-info.js';

/** Byte-wise comparison, as C's strcmp sorts. */
export const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How a default prints. Up to 9.2 QEMU rendered it as JSON (`true`, `"auto"`); from 10.0
 * strings print raw and booleans as on/off (commit 36324c6774).
 */
function renderDefault(model: ObjectModel, value: QomValue): string {
  const modern = compareReleases(model.env.release, { major: 10, minor: 0 }) >= 0;
  if (modern && typeof value === 'boolean') return value ? 'on' : 'off';
  if (modern && typeof value === 'string') return value;
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

function optionsHelp(model: ObjectModel, type: string, include: (readOnly: boolean, hidden: boolean) => boolean): string {
  const lines: string[] = [];
  for (const { def } of model.propertiesOf(type).values()) {
    if (!include(def.readOnly === true || def.type.kind === 'child', def.hiddenFromHelp === true)) continue;
    // QEMU records a default (defval) for qdev fields; custom properties set theirs in instance_init.
    const fallback = def.origin === 'field' ? model.defaultOf(def) : undefined;
    lines.push(propertyHelpLine(def.name, typeString(def), model.descriptionOf(def), fallback === undefined ? undefined : renderDefault(model, fallback)));
  }
  lines.sort(strcmp);
  return lines.length === 0 ? `There are no options for ${type}.\n` : `${type} options:\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** qdev_device_help: every property of an instance but the hidden base ones, sorted by strcmp. */
export function deviceOptionsHelp(model: ObjectModel, driver: string): string {
  return optionsHelp(model, driver, (_readOnly, hidden) => !hidden);
}

/** type_print_class_properties: the settable class properties. */
export function objectOptionsHelp(model: ObjectModel, type: string): string {
  return optionsHelp(model, type, (readOnly, hidden) => !readOnly && !hidden);
}

/** qdev_print_devinfos: user-creatable devices by category, each sorted by name. */
export function deviceListHelp(model: ObjectModel): string {
  const devices = model.view
    .typeNames()
    .filter((name) => model.view.isA(name, 'device') && !model.view.isAbstract(name) && model.view.info(name)?.userCreatable)
    .sort(strcmp);
  let out = '';
  DEVICE_CATEGORIES.forEach((category, index) => {
    const members = devices.filter((name) => (model.view.info(name)?.category ?? 'Uncategorized') === category);
    if (members.length === 0) return;
    out += `${index > 0 ? '\n' : ''}${category} devices:\n`;
    for (const name of members) {
      const info = model.view.info(name)!;
      out += `name "${name}"${info.bus ? `, bus ${info.bus}` : ''}${info.description ? `, desc "${info.description}"` : ''}\n`;
    }
  });
  return out;
}
