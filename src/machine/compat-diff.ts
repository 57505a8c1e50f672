/**
 * What differs between two machine types (or one machine type on two releases), property by
 * property, as QEMU's scripts/compare-machine-types.py shows it: every driver.property a compat
 * entry touches on either side, with the value each side ends up with. Where only one side has
 * an entry, the other side has the class default, read from the modelled property table (or
 * shown as unknown for types hotmem does not model); `raw` shows the compat values alone.
 */
import type { Arch } from '../core/arch.js';
import type { Release } from '../core/release.js';
import type { GlobalProperty } from '../qom/globals.js';
import { ObjectModel } from '../qom/object-model.js';
import type { TypeRegistry } from '../qom/registry.js';
import type { MachineCatalog } from './catalog.js';

export interface MachineSide {
  readonly release: Release;
  readonly arch: Arch;
  readonly machine: string;
}

export interface CompatDiffRow {
  readonly driver: string;
  readonly property: string;
  /** One value per side; `undefined` for "no entry" in raw mode. */
  readonly values: readonly (string | undefined)[];
}

/** The value each (driver, property) ends with after compat_props, later entries winning. */
function finalValues(entries: readonly GlobalProperty[]): Map<string, GlobalProperty> {
  const values = new Map<string, GlobalProperty>();
  for (const e of entries) values.set(`${e.driver}\u0000${e.property}`, e);
  return values;
}

function classDefault(registry: TypeRegistry, side: MachineSide, driver: string, property: string): string {
  const model = new ObjectModel(registry, { release: side.release, target: side.arch });
  const prop = model.view.exists(driver) ? model.view.properties(driver).get(property) : undefined;
  if (!prop) return '(default)';
  const value = model.defaultOf(prop.def);
  if (value === undefined) return '(default)';
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
}

export function compatDiff(catalog: MachineCatalog, registry: TypeRegistry, sides: readonly MachineSide[], raw: boolean): CompatDiffRow[] {
  const finals = sides.map((s) => finalValues(catalog.compatProperties(s.release, s.arch, s.machine)));
  const keys = [...new Set(finals.flatMap((f) => [...f.keys()]))].sort();
  const rows: CompatDiffRow[] = [];
  for (const key of keys) {
    const [driver, property] = key.split('\u0000') as [string, string];
    const values = finals.map((f, i) => f.get(key)?.value ?? (raw ? undefined : classDefault(registry, sides[i]!, driver, property)));
    if (new Set(values).size > 1) rows.push({ driver, property, values });
  }
  return rows;
}
