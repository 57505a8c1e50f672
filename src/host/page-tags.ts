import { ChunkSlots, grown } from './chunk-slots.js';

/** The content tag of every page of the chunks whose pages hold different content, packed. */
export class PageTags {
  readonly #pagesPerChunk: number;
  readonly #slots: ChunkSlots;
  /** One tag per page of every record; slot s starts at s * pagesPerChunk. */
  data = new Uint32Array(0);

  constructor(chunkCount: number, pagesPerChunk: number) {
    this.#pagesPerChunk = pagesPerChunk;
    this.#slots = new ChunkSlots(chunkCount);
  }

  /** Where chunk `c`'s tags start in `data`, or -1 if it has none. */
  base(c: number): number {
    const slot = this.#slots.of(c);
    return slot < 0 ? -1 : slot * this.#pagesPerChunk;
  }

  /** Gives chunk `c` per-page tags, `tag` for its first `pages` pages; returns where they start. */
  add(c: number, tag: number, pages: number): number {
    const slot = this.#slots.acquire(c);
    this.data = grown(this.data, this.#slots.capacity * this.#pagesPerChunk, (n) => new Uint32Array(n));
    const base = slot * this.#pagesPerChunk;
    this.data.fill(tag, base, base + pages);
    this.data.fill(0, base + pages, base + this.#pagesPerChunk);
    return base;
  }

  remove(c: number): void {
    if (this.#slots.of(c) >= 0) this.#slots.release(c);
  }
}
