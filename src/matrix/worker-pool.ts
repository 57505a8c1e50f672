/**
 * Worker threads for a matrix run. They start from the matrix file's text, so a caller can
 * start them before it has parsed the file itself and both load at once (each thread loads the
 * compat data and hotmem's modules: a large part of a short run). Once given cells, idle workers
 * pull chunks of cell indexes, in order, from the run's source as they finish the last.
 * Chunks complete in any order; their results reach the sink in chunk order. A worker is given
 * no chunk further than WINDOW chunks past the oldest one not yet delivered, so the results
 * waiting for a slow chunk stay bounded however many cells the run has.
 */
import { Worker } from 'node:worker_threads';
import type { ResultBatch, ResultSink } from './result-batch.js';
import type { ToMain, ToWorker, WorkerInput } from './worker-protocol.js';

interface Job {
  readonly source: Iterator<number>;
  readonly size: number;
  readonly total: number;
  readonly sink: ResultSink;
  readonly progress: (done: number, total: number) => void;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** Chunks handed out, and the next one the sink takes. */
  dispatched: number;
  delivered: number;
  done: number;
  readonly waiting: Map<number, ResultBatch & { readonly kind: 'lines' }>;
}

/** Chunks are large enough to keep messages few, small enough that all workers finish together. */
const chunkSize = (cells: number, jobs: number): number => Math.max(1, Math.min(64, Math.ceil(cells / (jobs * 8))));

/**
 * Chunks in flight or waiting for an older one, per worker: wide enough that a worker the OS
 * leaves unscheduled for a while (a loaded machine) does not stall the others, and small in
 * memory (a chunk's results are some 20-50 KB of JSON).
 */
const WINDOW_PER_WORKER = 64;

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

  /** Runs `total` cells whose indexes (increasing) `source` yields, delivering their results to `sink` in order. */
  run(source: Iterator<number>, total: number, sink: ResultSink, progress: (done: number, total: number) => void): Promise<void> {
    if (this.#job) throw new Error('internal: a worker pool runs one set of cells at a time');
    return new Promise((resolve, reject) => {
      if (this.#failure) {
        reject(this.#failure);
        return;
      }
      if (total === 0) {
        resolve();
        return;
      }
      this.#job = {
        source,
        size: chunkSize(total, this.#workers.length),
        total,
        sink,
        progress,
        resolve,
        reject,
        dispatched: 0,
        delivered: 0,
        done: 0,
        waiting: new Map(),
      };
      this.#feedIdle();
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #receive(worker: Worker, message: ToMain): void {
    const job = this.#job;
    if (message.kind === 'results' && job) {
      job.waiting.set(message.chunk, { kind: 'lines', text: message.text, statuses: message.statuses });
      try {
        this.#deliver(job);
      } catch (e) {
        this.#fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (job.done === job.total) {
        this.#job = undefined;
        job.resolve();
      }
    }
    this.#idle.push(worker);
    this.#feedIdle();
  }

  #deliver(job: Job): void {
    for (let batch = job.waiting.get(job.delivered); batch !== undefined; batch = job.waiting.get(job.delivered)) {
      job.waiting.delete(job.delivered++);
      job.sink.accept(batch);
      job.done += batch.statuses.length;
      job.progress(job.done, job.total);
    }
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#job?.reject(e);
    this.#job = undefined;
  }

  #feedIdle(): void {
    const job = this.#job;
    while (job && this.#idle.length > 0 && job.dispatched - job.delivered < WINDOW_PER_WORKER * this.#workers.length) {
      const indexes: number[] = [];
      for (let next = job.source.next(); !next.done; next = job.source.next()) {
        indexes.push(next.value);
        if (indexes.length === job.size) break;
      }
      if (indexes.length === 0) return;
      this.#idle.pop()!.postMessage({ chunk: job.dispatched++, indexes } satisfies ToWorker);
    }
  }
}
