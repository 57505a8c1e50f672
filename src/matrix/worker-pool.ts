/**
 * Worker threads for a matrix run. They start from the matrix file's text, so a caller can
 * start them before it has parsed the file itself and both load at once (each thread loads the
 * compat data and hotmem's modules: a large part of a short run). Once given cells, idle workers
 * pull chunks from one queue as they finish the last; results come back in completion order.
 */
import { Worker } from 'node:worker_threads';
import type { Cell } from './expand.js';
import type { CellResult } from './results.js';
import type { ToMain, ToWorker, WorkerInput } from './worker-protocol.js';

interface Job {
  readonly queue: number[];
  readonly size: number;
  readonly total: number;
  readonly results: CellResult[];
  readonly progress: (done: number, total: number) => void;
  readonly resolve: (results: CellResult[]) => void;
  readonly reject: (e: Error) => void;
}

/** Chunks are large enough to keep messages few, small enough that all workers finish together. */
const chunkSize = (cells: number, jobs: number): number => Math.max(1, Math.min(64, Math.ceil(cells / (jobs * 8))));

export class WorkerPool {
  readonly #workers: Worker[] = [];
  /** Workers that have loaded the matrix and wait for cells. */
  readonly #idle: Worker[] = [];
  #job: Job | undefined;
  #failure: Error | undefined;
  #closing = false;

  constructor(input: WorkerInput, jobs: number) {
    // Compiled, the worker sits beside this module in dist/src/matrix.
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(url, { workerData: input });
      this.#workers.push(worker);
      worker.on('message', (message: ToMain) => this.#receive(worker, message));
      worker.on('error', (e) => this.#fail(e));
      worker.on('exit', (code) => {
        if (!this.#closing) this.#fail(new Error(`internal: a matrix worker exited (status ${code}) during the run`));
      });
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Runs the cells (by index into the workers' expansion of the same matrix). */
  run(cells: readonly Cell[], progress: (done: number, total: number) => void): Promise<CellResult[]> {
    if (this.#job) throw new Error('internal: a worker pool runs one set of cells at a time');
    return new Promise((resolve, reject) => {
      if (this.#failure) {
        reject(this.#failure);
        return;
      }
      if (cells.length === 0) {
        resolve([]);
        return;
      }
      this.#job = {
        queue: cells.map((c) => c.index),
        size: chunkSize(cells.length, this.#workers.length),
        total: cells.length,
        results: [],
        progress,
        resolve,
        reject,
      };
      for (const worker of this.#idle.splice(0)) this.#feed(worker);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #receive(worker: Worker, message: ToMain): void {
    const job = this.#job;
    if (message.kind === 'results' && job) {
      job.results.push(...message.results);
      job.progress(job.results.length, job.total);
      if (job.results.length === job.total) {
        this.#job = undefined;
        job.resolve(job.results);
      }
    }
    this.#feed(worker);
  }

  #feed(worker: Worker): void {
    const indexes = this.#job?.queue.splice(0, this.#job.size) ?? [];
    if (indexes.length > 0) worker.postMessage({ indexes } satisfies ToWorker);
    else this.#idle.push(worker);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#job?.reject(e);
    this.#job = undefined;
  }
}
