/**
 * Cell results in transit, from the thread that ran them to where they are kept (memory or a
 * results file). A worker sends a chunk's results as the JSON lines the results file holds,
 * encoded once into a buffer it hands over without copying, with the statuses beside them for
 * the summary: the main thread writes the bytes as they are and parses nothing. Cells run in the
 * main thread (one job) travel as objects.
 */
import type { CellResult, CellStatus } from './results.js';

export type ResultBatch =
  | { readonly kind: 'cells'; readonly cells: readonly CellResult[] }
  /** One `JSON.stringify(cell)` line per cell, each ending in a newline, as UTF-8. */
  | { readonly kind: 'lines'; readonly text: Uint8Array<ArrayBuffer>; readonly statuses: readonly CellStatus[] };

/** Where a run's results go, in cell-index order. */
export interface ResultSink {
  accept(batch: ResultBatch): void;
}

export const cellLine = (cell: CellResult): string => `${JSON.stringify(cell)}\n`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeBatch(cells: readonly CellResult[]): ResultBatch & { readonly kind: 'lines' } {
  return { kind: 'lines', text: encoder.encode(cells.map(cellLine).join('')), statuses: cells.map((c) => c.status) };
}

export function batchCells(batch: ResultBatch): readonly CellResult[] {
  if (batch.kind === 'cells') return batch.cells;
  const lines = decoder.decode(batch.text).split('\n');
  lines.pop();
  return lines.map((line) => JSON.parse(line) as CellResult);
}

export const batchStatuses = (batch: ResultBatch): readonly CellStatus[] => (batch.kind === 'cells' ? batch.cells.map((c) => c.status) : batch.statuses);
