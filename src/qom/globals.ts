/**
 * Global and compat properties: (driver, property, value) triples applied to every new object
 * whose type is, or descends from, `driver`. The same shape serves machine compat arrays,
 * accelerator compat, "sugar" options and -global.
 */
import { parseOptions, optionValue } from '../core/parse/options.js';
import { qomErrors } from './errors.js';

export interface GlobalProperty {
  readonly driver: string;
  readonly property: string;
  readonly value: string;
  /** Skipped silently when the object lacks the property. */
  readonly optional?: boolean;
}

/**
 * The compat layers in the order object_apply_compat_props applies them (later wins):
 * accelerator compat, machine compat, then sugar properties from other options.
 */
export interface CompatLayers {
  readonly accelerator: readonly GlobalProperty[];
  readonly machine: readonly GlobalProperty[];
  readonly sugar: readonly GlobalProperty[];
}

export const NO_COMPAT: CompatLayers = { accelerator: [], machine: [], sugar: [] };

/**
 * Parses a -global argument: `driver.prop=value` (QEMU scans it with "%63[^.=].%63[^=]%n") or
 * `driver=d,property=p,value=v`.
 */
export function parseGlobalOption(text: string): GlobalProperty {
  const short = /^([^.=]{1,63})\.([^=]{1,63})=(.*)$/s.exec(text);
  if (short) return { driver: short[1]!, property: short[2]!, value: short[3]! };
  const options = parseOptions(text);
  const driver = optionValue(options, 'driver');
  const property = optionValue(options, 'property');
  const value = optionValue(options, 'value');
  if (driver === undefined || property === undefined || value === undefined) throw qomErrors.error('qom.global-syntax');
  return { driver, property, value };
}
