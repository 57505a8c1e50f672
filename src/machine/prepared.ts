/**
 * Prepared machines: a started machine per configuration, built once and lent to each later user
 * of the same configuration that only reads it. Copy-on-write at the grain of the whole machine:
 * only users that only read call `lend`; a user that may change its machine builds one of its
 * own, as it would without this store, so no change can reach the prepared one or a later
 * borrower.
 *
 * Only an idle machine is kept (nothing scheduled): a borrower's QMP conversation settles the
 * machine after each command, which must then run nothing. What a configuration is (the key) and
 * whether a user only reads are the caller's to say; the store holds what the build returned
 * beside the machine (the start-up's output, the parsed options), untouched.
 */
import type { Machine } from './machine.js';

export interface Preparation {
  readonly machine: Machine;
}

export type Lent<T extends Preparation> = { readonly kind: 'lent'; readonly prepared: T } | { readonly kind: 'built'; readonly result: T | undefined };

export class PreparedMachines<T extends Preparation> {
  readonly #byKey = new Map<string, T>();

  /**
   * `limit`: how many configurations are kept; past it the store starts over, so a batch of
   * ever new configurations holds at most that many machines.
   */
  constructor(readonly limit = 64) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`PreparedMachines: limit must be a positive integer, got ${limit}`);
  }

  get size(): number {
    return this.#byKey.size;
  }

  /**
   * The machine prepared for `key`, lent; or, the first time, `build()`'s result, handed over
   * (this first user may read it as a borrower would) and kept for later borrowers when
   * `shareable` says the result may be shared and its machine is idle. `build` returns
   * undefined where there is no machine (the configuration exits at start-up).
   */
  lend(key: string, build: () => T | undefined, shareable: (result: T) => boolean): Lent<T> {
    const prepared = this.#byKey.get(key);
    if (prepared) return { kind: 'lent', prepared };
    const result = build();
    if (result && shareable(result) && result.machine.scheduler.pending() === 0) {
      if (this.#byKey.size >= this.limit) this.#byKey.clear();
      this.#byKey.set(key, result);
    }
    return { kind: 'built', result };
  }
}
