/**
 * Simulated time with a queue of timed work: guest drivers' work items and back-off timers, the
 * migration link, anything that happens later. Running until idle is how "the guest converges"
 * is modelled; a bound on steps turns a livelock into a reported outcome instead of a hang.
 */
import { SimulatedClock } from './clock.js';
import type { SimNanos } from './units.js';

interface Job {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** What timed work needs of a scheduler: the time, and a way to run something later. */
export type Timeline = Pick<Scheduler, 'now' | 'after'>;

export type IdleOutcome = { readonly kind: 'idle'; readonly steps: number } | { readonly kind: 'step-limit'; readonly steps: number; readonly pending: number };

export class Scheduler {
  #jobs: Job[] = [];
  #seq = 0;

  constructor(readonly clock: SimulatedClock = new SimulatedClock()) {}

  now(): SimNanos {
    return this.clock.now();
  }

  /** Runs `run` `delayNanos` from now; jobs at the same time run in the order they were scheduled. */
  after(delayNanos: number, run: () => void): void {
    this.#jobs.push({ at: this.clock.now() + delayNanos, seq: this.#seq++, run });
    this.#jobs.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  pending(): number {
    return this.#jobs.length;
  }

  /**
   * Advances time job by job until nothing is left, `maxSteps` jobs have run, or (with a
   * horizon) the next job lies further ahead: periodic work such as stats polling never ends.
   */
  runUntilIdle(maxSteps = 1_000_000, horizonNanos = Number.POSITIVE_INFINITY): IdleOutcome {
    let steps = 0;
    const end = this.clock.now() + horizonNanos;
    while (this.#jobs.length > 0 && this.#jobs[0]!.at <= end) {
      if (steps >= maxSteps) return { kind: 'step-limit', steps, pending: this.#jobs.length };
      const job = this.#jobs.shift()!;
      if (job.at > this.clock.now()) this.clock.advance(job.at - this.clock.now());
      job.run();
      steps++;
    }
    return { kind: 'idle', steps };
  }
}
