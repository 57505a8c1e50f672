/**
 * A worker thread of a matrix run: loads the same matrix from its text, expands it (so cell
 * indexes agree with the main thread's), and runs the cells it is sent, returning their results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCompatData } from '../machine/compat-data/load.js';
import { CellRunner } from './cell.js';
import { expandMatrix } from './expand.js';
import { parseMatrix } from './load.js';
import type { ToMain, ToWorker, WorkerInput } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('internal: matrix/worker.js runs as a worker thread');
const input = workerData as WorkerInput;
const data = loadCompatData();
const matrix = parseMatrix(input.text, input.file, data);
const cells = expandMatrix(matrix, data);
const runner = new CellRunner(matrix);
const send = (message: ToMain) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  send({ kind: 'results', results: message.indexes.map((i) => runner.run(cells[i]!)) });
});
send({ kind: 'ready' });
