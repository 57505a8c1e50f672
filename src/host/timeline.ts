/**
 * A record of what host operations cost over simulated time: one entry per operation, stamped
 * with the host's SimulatedClock. Attach one to a Host to draw memory-over-time reports;
 * without one nothing is recorded (a million faults need not keep a million entries).
 */
import type { SimNanos } from '../core/units.js';
import type { FaultCounts, MemoryDelta } from './accounting.js';

export interface TimelineEntry {
  readonly at: SimNanos;
  readonly pid: number;
  readonly process: string;
  /** Operation name: read, write, populate-read, madv-dontneed, punch-hole, uffd-copy, mmap, storage-keys, ... */
  readonly op: string;
  readonly mapping: string | undefined;
  readonly offset: number;
  readonly length: number;
  readonly delta: MemoryDelta;
  readonly faults: FaultCounts;
  /** The process's VmRSS after the operation. */
  readonly vmRss: number;
  /** The host's total after the operation (HostMeminfo.total). */
  readonly hostTotal: number;
}

export interface TimelineOptions {
  /** Keep at most this many entries, dropping the oldest (default: unbounded). */
  readonly limit?: number;
}

export class Timeline {
  readonly #entries: TimelineEntry[] = [];
  readonly #limit: number;
  #dropped = 0;

  constructor(opts: TimelineOptions = {}) {
    this.#limit = opts.limit ?? Infinity;
  }

  record(entry: TimelineEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) {
      this.#entries.shift();
      this.#dropped++;
    }
  }

  get entries(): readonly TimelineEntry[] {
    return this.#entries;
  }

  /** Entries dropped because of the limit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** (time, host total) points, one per entry: the host's memory curve. */
  hostSeries(): Array<{ at: SimNanos; bytes: number }> {
    return this.#entries.map((e) => ({ at: e.at, bytes: e.hostTotal }));
  }

  /** (time, VmRSS) points of one process. */
  rssSeries(pid: number): Array<{ at: SimNanos; bytes: number }> {
    return this.#entries.filter((e) => e.pid === pid).map((e) => ({ at: e.at, bytes: e.vmRss }));
  }

  clear(): void {
    this.#entries.length = 0;
    this.#dropped = 0;
  }
}
