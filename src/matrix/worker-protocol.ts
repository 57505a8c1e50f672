/** Messages between a matrix run's main thread and its workers. */
import type { CellStatus } from './results.js';

/** What a worker starts from: the matrix file's text and name, as the main thread loaded it. */
export interface WorkerInput {
  readonly text: string;
  readonly file: string;
  /** false: evaluate every cell, sharing no results (memo.ts); default true. */
  readonly memo?: boolean;
}

/**
 * Run these cells (indexes into the expansion, increasing, and above those of the worker's
 * previous chunk: a worker walks the expansion forward once). `chunk` numbers the chunk in the run.
 */
export interface ToWorker {
  readonly chunk: number;
  readonly indexes: readonly number[];
}

export type ToMain =
  | { readonly kind: 'ready' }
  /** The chunk's results as JSON lines in UTF-8 (its buffer transferred), and their statuses. */
  | { readonly kind: 'results'; readonly chunk: number; readonly text: Uint8Array<ArrayBuffer>; readonly statuses: readonly CellStatus[] };
