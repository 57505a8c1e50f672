/**
 * What a fuzz target is: a fast-check generator of inputs for one front end, a check that runs one
 * input and throws (naming the broken invariant) when hotmem crashed or hung on it, and a
 * checkpoint, run every so many inputs, for the invariants about state that are too dear to
 * check after every input. Targets keep their long-lived state (a monitor's process) across inputs.
 */
import type * as fc from 'fast-check';

export interface FuzzTarget<T> {
  readonly name: string;
  readonly input: fc.Arbitrary<T>;
  /** Runs one input; throws InvariantBroken naming what broke. */
  check(input: T): void;
  /** Checks the state invariants over the inputs since the last checkpoint; throws InvariantBroken. */
  checkpoint(): void;
}

/** Longest an input may take before it counts as a hang (every input here is one message or one start-up). */
export const HANG_BOUND_MS = 2000;

export class InvariantBroken extends Error {
  override readonly name = 'InvariantBroken';
}

/** An input as text for a report. */
export const show = (input: unknown): string => (Buffer.isBuffer(input) ? JSON.stringify(input.toString('latin1')) : JSON.stringify(input));

/** Runs `work`, turning a throw into a crash report and an overlong run into a hang report. */
export function bounded<R>(what: string, work: () => R): R {
  const started = performance.now();
  let result: R;
  try {
    result = work();
  } catch (e) {
    if (e instanceof InvariantBroken) throw e;
    throw new InvariantBroken(`crash: ${what} threw ${(e as Error).stack ?? String(e)}`);
  }
  const took = performance.now() - started;
  if (took > HANG_BOUND_MS) throw new InvariantBroken(`hang: ${what} took ${Math.round(took)} ms (bound ${HANG_BOUND_MS} ms)`);
  return result;
}
