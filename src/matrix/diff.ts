/**
 * What changed between two runs (`hotmem matrix diff OLD NEW`, and `--baseline` of a run). Cells
 * are matched by their coordinates. A dimension both runs fix to one value each, but different
 * ones (release 7.2 in OLD, 8.0 in NEW), is what is being compared, so it is left out of the
 * match; so are dimensions only one run has, and any named with `ignore`.
 */
import { HotmemError } from '../core/errors.js';
import type { CellResult, CellStatus, MatrixResults } from './results.js';

export interface ObservationChange {
  readonly name: string;
  readonly old: string | undefined;
  readonly new: string | undefined;
}

export interface MemoryChange {
  /** `end.rss` */
  readonly figure: string;
  readonly old: number | undefined;
  readonly new: number | undefined;
}

export interface CellChange {
  /** The cell's coordinates over the matched dimensions. */
  readonly coordinates: Readonly<Record<string, string>>;
  readonly oldIndex: number;
  readonly newIndex: number;
  readonly status: { readonly old: CellStatus; readonly new: CellStatus } | undefined;
  readonly observations: readonly ObservationChange[];
  readonly memory: readonly MemoryChange[];
  /** A changed failure or error text. */
  readonly problems: { readonly old: readonly string[]; readonly new: readonly string[] } | undefined;
}

export interface MatrixDiff {
  readonly old: { readonly file: string; readonly cells: number };
  readonly new: { readonly file: string; readonly cells: number };
  /** Dimensions fixed to a different value on each side: what the diff compares. */
  readonly compared: ReadonlyArray<{ readonly dimension: string; readonly old: string; readonly new: string }>;
  /** Dimensions cells are matched on. */
  readonly matchedOn: readonly string[];
  readonly changed: readonly CellChange[];
  readonly unchanged: number;
  readonly onlyOld: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly onlyNew: ReadonlyArray<Readonly<Record<string, string>>>;
}

const problemsOf = (c: CellResult): readonly string[] => (c.status === 'fail' ? c.failures : c.status === 'error' ? [c.error] : []);

function observationChanges(a: CellResult, b: CellResult): ObservationChange[] {
  const names = [...new Set([...Object.keys(a.observations), ...Object.keys(b.observations)])];
  return names.filter((n) => a.observations[n] !== b.observations[n]).map((name) => ({ name, old: a.observations[name], new: b.observations[name] }));
}

function memoryChanges(a: CellResult, b: CellResult): MemoryChange[] {
  const figures = (c: CellResult) =>
    new Map(Object.entries(c.memory).flatMap(([point, m]) => Object.entries(m).map(([measure, v]) => [`${point}.${measure}`, v] as const)));
  const fa = figures(a);
  const fb = figures(b);
  return [...new Set([...fa.keys(), ...fb.keys()])]
    .filter((k) => fa.get(k) !== fb.get(k))
    .map((figure) => ({ figure, old: fa.get(figure), new: fb.get(figure) }));
}

function distinctValues(results: MatrixResults, dimension: string): Set<string> {
  return new Set(results.cells.map((c) => c.coordinates[dimension]).filter((v): v is string => v !== undefined));
}

export function diffResults(
  oldRun: { readonly file: string; readonly results: MatrixResults },
  newRun: { readonly file: string; readonly results: MatrixResults },
  ignore: readonly string[] = [],
): MatrixDiff {
  const a = oldRun.results;
  const b = newRun.results;
  const names = (r: MatrixResults) => r.matrix.dimensions.map((d) => d.name);
  const shared = names(a).filter((n) => names(b).includes(n));
  const compared: Array<{ dimension: string; old: string; new: string }> = [];
  for (const dimension of shared) {
    const va = distinctValues(a, dimension);
    const vb = distinctValues(b, dimension);
    if (va.size === 1 && vb.size === 1 && [...va][0] !== [...vb][0]) compared.push({ dimension, old: [...va][0]!, new: [...vb][0]! });
  }
  const matchedOn = shared.filter((d) => !ignore.includes(d) && !compared.some((c) => c.dimension === d));
  const keyOf = (c: CellResult) => JSON.stringify(matchedOn.map((d) => c.coordinates[d]));
  const index = (r: MatrixResults, file: string) => {
    const map = new Map<string, CellResult>();
    for (const c of r.cells) {
      const key = keyOf(c);
      if (map.has(key))
        throw new HotmemError(
          'matrix.cannot-diff',
          `${file}: cells are not told apart by ${matchedOn.join(', ') || 'no dimension'}; name fewer dimensions to ignore`,
        );
      map.set(key, c);
    }
    return map;
  };
  const ia = index(a, oldRun.file);
  const ib = index(b, newRun.file);
  const coordinates = (c: CellResult) => Object.fromEntries(matchedOn.map((d) => [d, c.coordinates[d]!]));
  const changed: CellChange[] = [];
  let unchanged = 0;
  for (const [key, ca] of ia) {
    const cb = ib.get(key);
    if (!cb) continue;
    const observations = observationChanges(ca, cb);
    const memory = memoryChanges(ca, cb);
    const pa = problemsOf(ca);
    const pb = problemsOf(cb);
    const problems = JSON.stringify(pa) === JSON.stringify(pb) ? undefined : { old: pa, new: pb };
    const status = ca.status === cb.status ? undefined : { old: ca.status, new: cb.status };
    if (!status && !problems && observations.length === 0 && memory.length === 0) {
      unchanged++;
      continue;
    }
    changed.push({ coordinates: coordinates(cb), oldIndex: ca.index, newIndex: cb.index, status, observations, memory, problems });
  }
  return {
    old: { file: oldRun.file, cells: a.cells.length },
    new: { file: newRun.file, cells: b.cells.length },
    compared,
    matchedOn,
    changed: changed.sort((x, y) => x.newIndex - y.newIndex),
    unchanged,
    onlyOld: [...ia].filter(([k]) => !ib.has(k)).map(([, c]) => coordinates(c)),
    onlyNew: [...ib].filter(([k]) => !ia.has(k)).map(([, c]) => coordinates(c)),
  };
}
