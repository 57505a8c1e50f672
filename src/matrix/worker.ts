/**
 * A worker thread of a matrix run: loads the same matrix from its text, walks its expansion (so
 * cell indexes agree with the main thread's) as far as the cells it is sent, runs them, and
 * returns their results as JSON lines in a transferred buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCompatData } from '../machine/compat-data/load.js';
import { CellRunner } from './cell.js';
import { cellsOf, type Cell } from './expand.js';
import { CellMemo } from './memo.js';
import { parseMatrix } from './load.js';
import { encodeBatch } from './result-batch.js';
import type { ToMain, ToWorker, WorkerInput } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('internal: matrix/worker.js runs as a worker thread');
const input = workerData as WorkerInput;
const data = loadCompatData();
const matrix = parseMatrix(input.text, input.file, data);
/** The current chunk's indexes: the walk builds those cells only. */
let wanted: ReadonlySet<number> = new Set();
const expansion = cellsOf(matrix, data, { take: (index) => wanted.has(index) })[Symbol.iterator]();
const runner = input.memo === false ? new CellRunner(matrix) : new CellMemo(new CellRunner(matrix));

function cellAt(index: number): Cell {
  const next = expansion.next();
  if (next.done || next.value.index !== index) throw new Error(`internal: cell ${index} asked for out of order`);
  return next.value;
}

port.on('message', (message: ToWorker) => {
  wanted = new Set(message.indexes);
  const { text, statuses } = encodeBatch(message.indexes.map((i) => runner.run(cellAt(i))));
  port.postMessage({ kind: 'results', chunk: message.chunk, text, statuses } satisfies ToMain, [text.buffer]);
});
port.postMessage({ kind: 'ready' } satisfies ToMain);
