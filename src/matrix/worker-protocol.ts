/** Messages between a matrix run's main thread and its workers. */
import type { CellResult } from './results.js';

/** What a worker starts from: the matrix file's text and name, as the main thread loaded it. */
export interface WorkerInput {
  readonly text: string;
  readonly file: string;
}

/** Run these cells (indexes into the expansion). */
export interface ToWorker {
  readonly indexes: readonly number[];
}

export type ToMain = { readonly kind: 'ready' } | { readonly kind: 'results'; readonly results: readonly CellResult[] };
