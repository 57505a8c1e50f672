/**
 * s390x CMMA usage states the guest set with ESSA, as far as the host cares: which pages the
 * guest marked unused. The flag lives in the PTE (_PAGE_UNUSED), so it goes when the PTE does.
 * Kept per chunk, only for chunks that have unused pages.
 */
export class CmmaUsage {
  readonly #pagesPerChunk: number;
  readonly #unused = new Map<number, Uint8Array>();

  constructor(pagesPerChunk: number) {
    this.#pagesPerChunk = pagesPerChunk;
  }

  /** Marks pages [lo, hi) of chunk `c` unused or stable. */
  set(c: number, lo: number, hi: number, usage: 'unused' | 'stable'): void {
    let flags = this.#unused.get(c);
    if (usage === 'unused') {
      if (!flags) this.#unused.set(c, (flags = new Uint8Array(this.#pagesPerChunk)));
      flags.fill(1, lo, hi);
    } else if (flags) {
      flags.fill(0, lo, hi);
      if (!flags.includes(1)) this.#unused.delete(c);
    }
  }

  /** Chunks with unused pages and their per-page flags (1 = unused), in insertion order. */
  chunks(): Array<[number, Uint8Array]> {
    return [...this.#unused];
  }

  get empty(): boolean {
    return this.#unused.size === 0;
  }

  get pages(): number {
    let n = 0;
    for (const f of this.#unused.values()) for (const b of f) n += b;
    return n;
  }

  clear(): void {
    this.#unused.clear();
  }
}
