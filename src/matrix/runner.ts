/**
 * Running a matrix: survey it (check every cell's values, count them, select cells with
 * --filter, then --shard), check the first selected cell's definition so a mistake in the
 * scenario stops the run before any work, then run the cells in this thread (one job) or on
 * worker threads (worker-pool.ts).
 * Results reach their sink in cell-index order whatever order they complete in, so the output
 * does not depend on the number of jobs or on scheduling. Cells are expanded as they are run, and
 * a sink that writes a file (runMatrixToFile) holds none of them: memory does not grow with the
 * number of cells.
 */
import { availableParallelism } from 'node:os';
import { DefinitionError } from '../frontends/yaml/errors.js';
import type { CompatData } from '../machine/compat-data/compat-data.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import { resultsHeader } from './assemble.js';
import { cellDefinition } from './cell-definition.js';
import { CellRunner } from './cell.js';
import { CellMemo } from './memo.js';
import { MatrixEnvironment } from './environment.js';
import { cellsOf, refValue, surveyMatrix, type Cell, type CellSelection } from './expand.js';
import { FilterMemo, type CellFilter } from './filter.js';
import { batchCells, type ResultSink } from './result-batch.js';
import { ResultsFileWriter } from './results-file.js';
import { summarize, type CellResult, type MatrixResults, type ResultsHeader, type Summary } from './results.js';
import { inShard, type Shard } from './shard.js';
import type { Matrix } from './spec.js';
import { WorkerPool } from './worker-pool.js';

export interface RunOptions {
  /**
   * Worker threads; 1 runs in this thread. Default: the cores available, but no more workers than
   * the selected cells pay for (defaultJobs).
   */
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
  /** Called once the selection is known, with the number of cells and of jobs that run them. */
  readonly onStart?: (run: { readonly cells: number; readonly jobs: number }) => void;
  /** In-process runs only (jobs 1): the environment cells run in. */
  readonly environment?: MatrixEnvironment;
  readonly data?: CompatData;
  /** false: evaluate every cell, sharing no results across machine types (memo.ts); default true. */
  readonly memo?: boolean;
}

/** Cells run in this thread between deliveries to the sink. */
const BATCH = 64;

/**
 * A worker thread loads the code and the compat data before its first cell, some 0.3 s of CPU:
 * as much as a few hundred cells cost. A worker is started for each this many selected cells, so
 * a small run (a CI job's slice of a small matrix) stays in this thread.
 */
const CELLS_PER_WORKER = 256;

export const defaultJobs = (selected: number, cores: number = availableParallelism()): number =>
  Math.max(1, Math.min(cores, Math.floor(selected / CELLS_PER_WORKER)));

/** Runs the selected cells into `sink`; returns what identifies the results. */
async function runInto(matrix: Matrix, options: RunOptions, sink: ResultSink): Promise<ResultsHeader> {
  const data = options.data ?? loadCompatData();
  const { filter, shard } = options;
  const memo = new FilterMemo();
  const selection: CellSelection = {
    ...(shard === undefined ? {} : { take: (index: number) => inShard(shard, index) }),
    ...(filter === undefined ? {} : { keep: (coordinates: Readonly<Record<string, string>>) => memo.matches(filter, coordinates) }),
  };
  const survey = surveyMatrix(matrix, data, selection);
  const first = survey.first;
  if (first) {
    const built = cellDefinition(matrix, (ref) => refValue(ref, matrix.dimensions, first.values));
    if (!built.ok) throw new DefinitionError(built.problems);
  }
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(survey.selected), survey.selected));
  options.onStart?.({ cells: survey.selected, jobs });
  if (jobs > 1 && options.environment !== undefined) throw new Error('internal: a custom environment runs in one thread (jobs 1)');
  const progress = options.onProgress ?? (() => undefined);
  const selected = cellsOf(matrix, data, selection);
  if (jobs > 1) {
    const pool = options.pool ?? new WorkerPool({ text: matrix.text, file: matrix.file, memo: options.memo !== false }, jobs);
    try {
      await pool.run(
        (function* () {
          for (const cell of selected) yield cell.index;
        })(),
        survey.selected,
        sink,
        progress,
      );
    } finally {
      if (options.pool === undefined) await pool.close();
    }
  } else runHere(matrix, selected, survey.selected, options.environment ?? new MatrixEnvironment(), options.memo !== false, sink, progress);
  return resultsHeader(matrix, survey, {
    ...(filter === undefined ? {} : { filter: filter.text }),
    ...(shard === undefined ? {} : { shards: { of: shard.count, indexes: [shard.index] } }),
  });
}

/** Runs the matrix and returns its results, every cell in memory. */
export async function runMatrix(matrix: Matrix, options: RunOptions = {}): Promise<MatrixResults> {
  const cells: CellResult[] = [];
  const header = await runInto(matrix, options, { accept: (batch) => cells.push(...batchCells(batch)) });
  return { ...header, summary: summarize(cells), cells };
}

/** Runs the matrix into a results file (the JSON report), holding no cells; returns the summary. */
export async function runMatrixToFile(matrix: Matrix, path: string, options: RunOptions = {}): Promise<Summary> {
  const writer = new ResultsFileWriter(path);
  try {
    return writer.finish(await runInto(matrix, options, writer));
  } catch (e) {
    writer.discard();
    throw e;
  }
}

function runHere(
  matrix: Matrix,
  cells: Iterable<Cell>,
  total: number,
  env: MatrixEnvironment,
  memo: boolean,
  sink: ResultSink,
  progress: (done: number, total: number) => void,
): void {
  const runner = memo ? new CellMemo(new CellRunner(matrix, env)) : new CellRunner(matrix, env);
  let batch: CellResult[] = [];
  let done = 0;
  for (const cell of cells) {
    batch.push(runner.run(cell));
    progress(++done, total);
    if (batch.length === BATCH) {
      sink.accept({ kind: 'cells', cells: batch });
      batch = [];
    }
  }
  if (batch.length > 0) sink.accept({ kind: 'cells', cells: batch });
}
