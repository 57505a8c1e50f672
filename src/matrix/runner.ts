/**
 * Running a matrix: expand it, select cells (--filter, then --shard), check the first selected
 * cell's definition so a mistake in the scenario stops the run before any work, then run the
 * cells in this thread (one job) or on worker threads (worker-pool.ts).
 * Results are put in cell-index order whatever order they complete in, so the output does not
 * depend on the number of jobs or on scheduling.
 */
import { availableParallelism } from 'node:os';
import { DefinitionError } from '../frontends/yaml/errors.js';
import type { CompatData } from '../machine/compat-data/compat-data.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import { assembleResults } from './assemble.js';
import { cellDefinition } from './cell-definition.js';
import { CellRunner } from './cell.js';
import { MatrixEnvironment } from './environment.js';
import { expandMatrix, refValue, type Cell } from './expand.js';
import { filterMatches, type CellFilter } from './filter.js';
import type { CellResult, MatrixResults, Selection } from './results.js';
import { inShard, type Shard } from './shard.js';
import type { Matrix } from './spec.js';
import { WorkerPool } from './worker-pool.js';

export interface RunOptions {
  /** Worker threads; 1 runs in this thread. Default: the cores available. */
  readonly jobs?: number;
  /**
   * Workers already started on this matrix's text (see WorkerPool), used when jobs > 1; the
   * caller closes them. Without one, the run starts and closes its own.
   */
  readonly pool?: WorkerPool;
  readonly filter?: CellFilter;
  readonly shard?: Shard;
  /** Called as cells complete, for a progress display. */
  readonly onProgress?: (done: number, total: number) => void;
  /** In-process runs only (jobs 1): the environment cells run in. */
  readonly environment?: MatrixEnvironment;
  readonly data?: CompatData;
}

/** The cells a selection covers, in index order. */
function selectCells(cells: readonly Cell[], filter: CellFilter | undefined, shard: Shard | undefined): Cell[] {
  return cells.filter((c) => (filter === undefined || filterMatches(filter, c.coordinates)) && (shard === undefined || inShard(shard, c.index)));
}

export async function runMatrix(matrix: Matrix, options: RunOptions = {}): Promise<MatrixResults> {
  const data = options.data ?? loadCompatData();
  const all = expandMatrix(matrix, data);
  const selected = selectCells(all, options.filter, options.shard);
  const first = selected[0];
  if (first) {
    const built = cellDefinition(matrix, (ref) => refValue(ref, matrix.dimensions, first.values));
    if (!built.ok) throw new DefinitionError(built.problems);
  }
  const jobs = Math.min(options.jobs ?? availableParallelism(), selected.length);
  if (jobs > 1 && options.environment !== undefined) throw new Error('internal: a custom environment runs in one thread (jobs 1)');
  const progress = options.onProgress ?? (() => undefined);
  const results =
    jobs > 1
      ? await onWorkers(options.pool ?? new WorkerPool({ text: matrix.text, file: matrix.file }, jobs), options.pool === undefined, selected, progress)
      : runHere(matrix, selected, options.environment ?? new MatrixEnvironment(), progress);
  const selection: Selection = {
    ...(options.filter === undefined ? {} : { filter: options.filter.text }),
    ...(options.shard === undefined ? {} : { shards: { of: options.shard.count, indexes: [options.shard.index] } }),
  };
  return assembleResults(matrix, all, selection, results);
}

function runHere(matrix: Matrix, cells: readonly Cell[], env: MatrixEnvironment, progress: (done: number, total: number) => void): CellResult[] {
  const runner = new CellRunner(matrix, env);
  return cells.map((cell, i) => {
    const result = runner.run(cell);
    progress(i + 1, cells.length);
    return result;
  });
}

async function onWorkers(pool: WorkerPool, own: boolean, cells: readonly Cell[], progress: (done: number, total: number) => void): Promise<CellResult[]> {
  try {
    return await pool.run(cells, progress);
  } finally {
    if (own) await pool.close();
  }
}
