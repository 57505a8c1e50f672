/**
 * Global and compat properties: (driver, property, value) triples applied to every new object
 * whose type is, or descends from, `driver`. The same shape serves machine compat arrays,
 * accelerator compat, "sugar" options and -global.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { parseOptions, optionValue } from '../core/parse/options.js';
import { compareReleases, type Release } from '../core/release.js';
import { qomErrors } from './errors.js';
import type { CompatSource } from './provenance.js';

export interface GlobalProperty {
  readonly driver: string;
  readonly property: string;
  readonly value: string;
  /** Skipped silently when the object lacks the property. */
  readonly optional?: boolean;
  /** For a machine compat entry: the array and machine type it comes from. */
  readonly source?: CompatSource;
  /** A -global of a release before 7.0 given without `value` (parseGlobalOption). */
  readonly valueMissing?: true;
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
 * `driver=d,property=p,value=v`. Until 7.0 (qemu_global_option's check in qdev-monitor.c) the
 * long form registered whatever keys it had: an entry without `value` is kept, marked, and is
 * harmless only while its driver names no device class (qdev_prop_check_globals then warns).
 */
export function parseGlobalOption(text: string, release: Release): { readonly global: GlobalProperty; readonly warnings: readonly Warning[] } {
  const short = /^([^.=]{1,63})\.([^=]{1,63})=(.*)$/s.exec(text);
  if (short) return { global: { driver: short[1]!, property: short[2]!, value: short[3]! }, warnings: [] };
  // Otherwise it is QemuOpts of the "global" group, which knows only these three keys.
  const options = parseOptions(text);
  const unknown = options.entries.find((e) => !['driver', 'property', 'value'].includes(e.key));
  if (unknown) throw new HotmemError('qom.global-invalid-parameter', `Invalid parameter '${unknown.key}'`, { key: unknown.key, warnings: options.warnings });
  const driver = optionValue(options, 'driver');
  const property = optionValue(options, 'property');
  const value = optionValue(options, 'value');
  const checked = compareReleases(release, { major: 7, minor: 0 }) >= 0;
  if (driver === undefined || property === undefined || (value === undefined && checked)) throw qomErrors.error('qom.global-syntax');
  if (value === undefined) return { global: { driver, property, value: '', valueMissing: true }, warnings: options.warnings };
  return { global: { driver, property, value }, warnings: options.warnings };
}
