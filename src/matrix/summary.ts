/**
 * What reports show at a glance: behaviours (cells grouped by everything they observed, so a
 * matrix of thousands of cells reads as a handful of outcomes), the observations that differ
 * between cells (those that do not say nothing about the matrix), and an order that puts
 * failures, then changed cells, first.
 */
import { observationText } from './format.js';
import { FEATURE_OBSERVATIONS } from './observation-names.js';
import type { CellResult, MatrixResults } from './results.js';

export interface Behaviour {
  /** A, B, ..., Z, AA, ...: in order of each behaviour's first cell. */
  readonly id: string;
  readonly observations: Readonly<Record<string, string>>;
  /** The cells showing it (indexes), in index order. */
  readonly cells: readonly number[];
}

/** Spreadsheet-style names: A..Z, AA..AZ, BA, ... */
function behaviourId(n: number): string {
  let id = '';
  for (let k = n + 1; k > 0; k = Math.floor((k - 1) / 26)) id = String.fromCharCode(65 + ((k - 1) % 26)) + id;
  return id;
}

/**
 * What a cell observed, as its behaviour: cells that could not be answered by their error, and
 * the cell's own machine type written as <name> of its dimension, since QEMU names it in its
 * messages ("Machine type 'pc-q35-6.0' is deprecated") and 800 machine types would otherwise be
 * 800 behaviours.
 */
function behaviourOf(c: CellResult, machineDims: readonly string[], patterns: Map<string, RegExp>): Readonly<Record<string, string>> {
  const own = c.status === 'error' ? { error: c.error } : c.observations;
  const names = machineDims.flatMap((d) => {
    const name = c.coordinates[d];
    if (name === undefined) return [];
    if (!patterns.has(name)) patterns.set(name, wholeName(name));
    return [[patterns.get(name)!, `<${d}>`] as const];
  });
  if (names.length === 0) return own;
  return Object.fromEntries(Object.entries(own).map(([k, v]) => [k, names.reduce((text, [pattern, placeholder]) => text.replace(pattern, placeholder), v)]));
}

/** The name as a whole word: not inside a longer machine type name (pc-q35-7.2 in pc-q35-7.20). */
const wholeName = (name: string): RegExp => new RegExp(`(?<![\\w.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\d)`, 'g');

/** Dimensions of machine types, whose names behaviours abstract. */
const machineDimensions = (results: MatrixResults): string[] => results.matrix.dimensions.filter((d) => d.machineTypes).map((d) => d.name);

export function behaviours(cells: readonly CellResult[], machineDims: readonly string[] = []): Behaviour[] {
  const byKey = new Map<string, { observations: Readonly<Record<string, string>>; cells: number[] }>();
  const patterns = new Map<string, RegExp>();
  for (const c of cells) {
    const observations = behaviourOf(c, machineDims, patterns);
    const key = JSON.stringify(observations);
    const entry = byKey.get(key);
    if (entry) entry.cells.push(c.index);
    else byKey.set(key, { observations, cells: [c.index] });
  }
  return [...byKey.values()].map((b, i) => ({ id: behaviourId(i), ...b }));
}

/** The behaviour id of each cell index. */
export function behaviourIndex(list: readonly Behaviour[]): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const b of list) for (const i of b.cells) map.set(i, b.id);
  return map;
}

/** Observation names whose text is not the same in every behaviour (a missing one counts as different), in first-seen order. */
function varyingObservations(list: readonly Behaviour[]): string[] {
  const names: string[] = [];
  for (const b of list) for (const name of Object.keys(b.observations)) if (!names.includes(name)) names.push(name);
  return names.filter((name) => list.some((b) => b.observations[name] !== list[0]!.observations[name]));
}

/** `point.measure` pairs recorded in any cell, in first-seen order: `end.rss`. */
export function memoryColumns(cells: readonly CellResult[]): Array<{ readonly point: string; readonly measure: string }> {
  const seen = new Map<string, { point: string; measure: string }>();
  for (const c of cells)
    for (const [point, figures] of Object.entries(c.memory)) for (const measure of Object.keys(figures)) seen.set(`${point}.${measure}`, { point, measure });
  return [...seen.values()];
}

const STATUS_RANK = { error: 0, fail: 1, pass: 2 } as const;

/** Errors, then failures, then changed cells, then the rest; each group in index order. */
export function reportOrder(cells: readonly CellResult[], changed: ReadonlySet<number>): CellResult[] {
  const rank = (c: CellResult) => (c.status === 'pass' ? (changed.has(c.index) ? 2 : 3) : STATUS_RANK[c.status]);
  return [...cells].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}

/** `release (17) × machine (873 in all) × backend (2)`: the shape of the matrix. */
export function shape(results: MatrixResults): string {
  return results.matrix.dimensions.map((d) => `${d.name} (${d.values.length})`).join(' × ');
}

/** Feature lists (ID.offered, ID.negotiated) are space-separated names. */
const isFeatureList = (name: string): boolean => FEATURE_OBSERVATIONS.some((w) => w !== 'status' && name.endsWith(`.${w}`));

export interface BehaviourTable {
  readonly behaviours: readonly Behaviour[];
  /** id, cells, statuses, then one column per observation that differs between cells. */
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /**
   * Feature names every behaviour shares, by observation: the table shows each behaviour's
   * others (`+ NAME ...`), so the bits that make behaviours differ stand out.
   */
  readonly shared: ReadonlyArray<{ readonly name: string; readonly features: readonly string[] }>;
}

export function behaviourTable(results: MatrixResults): BehaviourTable {
  const cells = results.cells;
  const list = behaviours(cells, machineDimensions(results));
  const varying = varyingObservations(list);
  const statusOf = new Map(cells.map((c) => [c.index, c.status]));
  const shared = varying.flatMap((name) => {
    if (!isFeatureList(name)) return [];
    const lists = list
      .map((b) => b.observations[name])
      .filter((v): v is string => v !== undefined)
      .map((v) => v.split(' '));
    const common = (lists[0] ?? []).filter((f) => lists.every((l) => l.includes(f)));
    return common.length === 0 ? [] : [{ name, features: common }];
  });
  const text = (name: string, value: string | undefined): string => {
    const common = shared.find((s) => s.name === name)?.features;
    if (common === undefined || value === undefined) return observationText(name, value);
    const rest = value.split(' ').filter((f) => !common.includes(f));
    return rest.length === 0 ? '(shared only)' : `+ ${rest.join(' ')}`;
  };
  return {
    behaviours: list,
    head: ['', 'cells', 'status', ...varying],
    rows: list.map((b) => [
      b.id,
      String(b.cells.length),
      [...new Set(b.cells.map((i) => statusOf.get(i)!))].sort().join('/'),
      ...varying.map((n) => text(n, b.observations[n])),
    ]),
    shared,
  };
}
