/**
 * Runs a fuzz target for a number of inputs from a seed: fast-check generates the inputs in
 * chunks (each chunk its own derived seed, so a run is reproducible from its seed and the index
 * of the failing input), with a checkpoint after every chunk.
 */
import fc from 'fast-check';
import { InvariantBroken, show, type FuzzTarget } from './target.js';

/** Inputs between checkpoints. */
export const CHUNK = 1000;

export interface FuzzRun {
  readonly target: string;
  readonly seed: number;
  readonly inputs: number;
  readonly ms: number;
  /** The broken invariant, when one broke. */
  readonly failure?: string;
}

export function runTarget<T>(target: FuzzTarget<T>, seed: number, inputs: number, onProgress?: (done: number) => void): FuzzRun {
  const started = performance.now();
  let done = 0;
  const result = (failure?: string): FuzzRun => ({ target: target.name, seed, inputs: done, ms: performance.now() - started, ...(failure ? { failure } : {}) });
  for (let chunk = 0; done < inputs; chunk++) {
    const batch = fc.sample(target.input, { seed: (seed * 7919 + chunk) | 0, numRuns: Math.min(CHUNK, inputs - done) });
    for (const input of batch) {
      try {
        target.check(input);
      } catch (e) {
        if (!(e instanceof InvariantBroken)) throw e;
        return result(`${e.message}\ninput #${done} (seed ${seed}): ${show(input)}`);
      }
      done++;
    }
    try {
      target.checkpoint();
    } catch (e) {
      if (!(e instanceof InvariantBroken)) throw e;
      return result(`${e.message}\nin inputs #${done - batch.length}..#${done - 1} (seed ${seed})`);
    }
    onProgress?.(done);
  }
  return result();
}
