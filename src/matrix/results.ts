/**
 * What a matrix run produces: one result per cell, ordered by cell index, and what identifies
 * the run (matrix digest, hotmem version, which cells were selected). Nothing here depends on
 * timing or on which worker ran a cell, so the same input gives byte-identical results, and the
 * results of shards merge into those of a whole run.
 */
export const RESULTS_FORMAT = 'hotmem-matrix-results/1';

export type CellStatus = 'pass' | 'fail' | 'error';

/** Host memory after each step (and at start), as `hotmem run` reports per step. */
export interface TimelinePoint {
  readonly at: string;
  readonly rss: number;
  readonly host: number;
}

interface CellCommon {
  readonly index: number;
  /** Dimension name → value label. */
  readonly coordinates: Readonly<Record<string, string>>;
  /** Observation name → text (see observation-names.ts). */
  readonly observations: Readonly<Record<string, string>>;
  /** Point (start, end, steps[N]) → measure → bytes. */
  readonly memory: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly timeline: readonly TimelinePoint[];
}

/** A cell's result: passed, failed its expectations (saying which), or could not be answered (saying why). */
export type CellResult =
  | (CellCommon & { readonly status: 'pass' })
  | (CellCommon & { readonly status: 'fail'; readonly failures: readonly string[] })
  | (CellCommon & { readonly status: 'error'; readonly error: string });

export interface DimensionSummary {
  readonly name: string;
  /** Every value label of the whole matrix, in expansion order. */
  readonly values: readonly string[];
  /** Present for machine-types dimensions: QEMU names the machine type in its messages. */
  readonly machineTypes?: true;
}

/** Which cells a run covered: all, those a filter selects, and of those one or more shards. */
export interface Selection {
  readonly filter?: string;
  readonly shards?: { readonly of: number; readonly indexes: readonly number[] };
}

export interface MatrixResults {
  readonly format: typeof RESULTS_FORMAT;
  readonly hotmem: string;
  readonly matrix: {
    readonly file: string;
    readonly description?: string;
    readonly digest: string;
    readonly dimensions: readonly DimensionSummary[];
    /** Cells of the whole matrix, selected or not. */
    readonly cells: number;
  };
  readonly selection: Selection;
  readonly summary: Summary;
  readonly cells: readonly CellResult[];
}

/** Results without their cells: what a results file holds before the first cell. */
export type ResultsHeader = Omit<MatrixResults, 'summary' | 'cells'>;

export type Summary = Readonly<Record<CellStatus, number>>;

export function summarize(cells: readonly CellResult[]): Record<CellStatus, number> {
  return countStatuses(cells.map((c) => c.status));
}

export function countStatuses(statuses: Iterable<CellStatus>, into: Record<CellStatus, number> = { pass: 0, fail: 0, error: 0 }): Record<CellStatus, number> {
  for (const s of statuses) into[s]++;
  return into;
}

/** A cell's failures or error, as lines. */
export const cellProblems = (c: CellResult): readonly string[] => (c.status === 'fail' ? c.failures : c.status === 'error' ? [c.error] : []);

/** `release=7.2 machine=pc-q35-7.2 ...`: a cell's name in text reports. */
export const cellName = (c: Pick<CellResult, 'coordinates'>): string =>
  Object.entries(c.coordinates)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
