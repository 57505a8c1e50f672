import { nanos, type SimNanos } from './units.js';

/**
 * Simulated time. Model code never reads the wall clock: whoever drives a simulation owns a
 * clock and advances it, so the same input always gives byte-identical output.
 */
export class SimulatedClock {
  #now: number;

  constructor(start: SimNanos = nanos(0)) {
    this.#now = start;
  }

  now(): SimNanos {
    return this.#now as SimNanos;
  }

  advance(byNanos: number): SimNanos {
    this.#now = nanos(this.#now + byNanos);
    return this.#now as SimNanos;
  }
}

export const NANOS_PER_SECOND = 1_000_000_000;
