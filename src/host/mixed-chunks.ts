import { ChunkSlots, grown } from './chunk-slots.js';

/** The state byte of every page of the mixed chunks, and their per-state page counts, packed. */
export class MixedChunks {
  readonly #pagesPerChunk: number;
  readonly #stateCount: number;
  readonly #slots: ChunkSlots;
  /** One byte per page of every record; slot s starts at s * pagesPerChunk. */
  states = new Uint8Array(0);
  /** Pages per state of every record; slot s starts at s * stateCount. */
  counts = new Uint32Array(0);

  constructor(chunkCount: number, pagesPerChunk: number, stateCount: number) {
    this.#pagesPerChunk = pagesPerChunk;
    this.#stateCount = stateCount;
    this.#slots = new ChunkSlots(chunkCount);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Where chunk `c`'s states start in `states`. */
  statesBase(c: number): number {
    return this.#slots.of(c) * this.#pagesPerChunk;
  }

  /** Where chunk `c`'s counts start in `counts`. */
  countsBase(c: number): number {
    return this.#slots.of(c) * this.#stateCount;
  }

  /** Gives chunk `c` a record with every page in `state`, `pages` of them counted. */
  add(c: number, state: number, pages: number): void {
    const slot = this.#slots.acquire(c);
    const capacity = this.#slots.capacity;
    this.states = grown(this.states, capacity * this.#pagesPerChunk, (n) => new Uint8Array(n));
    this.counts = grown(this.counts, capacity * this.#stateCount, (n) => new Uint32Array(n));
    const sb = slot * this.#pagesPerChunk;
    this.states.fill(state, sb, sb + this.#pagesPerChunk);
    const cb = slot * this.#stateCount;
    this.counts.fill(0, cb, cb + this.#stateCount);
    this.counts[cb + state] = pages;
  }

  remove(c: number): void {
    this.#slots.release(c);
  }
}
