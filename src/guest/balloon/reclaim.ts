/**
 * A guest workload's allocations with Linux's fallbacks when memory runs out: first the
 * registered shrinkers (reclaim), then the OOM notifiers, retried while they free something;
 * when nothing helps the OOM killer runs. The balloon registers one or the other depending on the
 * kernel (kernel-facts.ts: deflate-on-oom through a shrinker in 4.20-5.6).
 */
import type { Range } from './extents.js';
import type { GuestPages } from './guest-pages.js';

export interface Reclaimer {
  /** A shrinker's scan: frees up to `bytes`, returns what it freed. */
  shrink?(bytes: number): number;
  /** An OOM notifier: returns what it freed. */
  oomNotify?(): number;
}

export type AllocationOutcome =
  | { readonly kind: 'done'; readonly ranges: readonly Range[] }
  /** Nothing could free enough: the OOM killer would run. What was allocated is given back. */
  | { readonly kind: 'oom'; readonly short: number };

export class GuestAllocator {
  readonly #reclaimers = new Set<Reclaimer>();

  constructor(readonly pages: GuestPages) {}

  register(reclaimer: Reclaimer): () => void {
    this.#reclaimers.add(reclaimer);
    return () => this.#reclaimers.delete(reclaimer);
  }

  allocate(bytes: number): AllocationOutcome {
    const got: Range[] = [];
    const have = () => got.reduce((n, r) => n + r.length, 0);
    const take = () => got.push(...this.pages.allocate(bytes - have()));
    take();
    for (const r of this.#reclaimers) {
      if (have() >= bytes) break;
      if (r.shrink && r.shrink(bytes - have()) > 0) take();
    }
    while (have() < bytes) {
      let freed = 0;
      for (const r of this.#reclaimers) freed += r.oomNotify?.() ?? 0;
      if (freed === 0) {
        const short = bytes - have();
        this.pages.release(got);
        return { kind: 'oom', short };
      }
      take();
    }
    return { kind: 'done', ranges: got };
  }

  free(ranges: readonly Range[]): void {
    this.pages.release(ranges);
  }
}
