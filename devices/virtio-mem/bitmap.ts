/**
 * The plugged bitmap: one bit per device block, set when plugged (hw/virtio/virtio-mem.c
 * vmem->bitmap). Range queries answer the request checks; the plugged count is kept so the
 * plugged size is never recomputed by scanning.
 */
export type RangeState = 'plugged' | 'unplugged' | 'mixed';

export class BlockBitmap {
  readonly #bits: Uint8Array;
  #plugged = 0;

  constructor(
    readonly blocks: number,
    bits?: Uint8Array,
  ) {
    this.#bits = bits ? bits.slice() : new Uint8Array(Math.ceil(blocks / 8));
    if (bits) for (let i = 0; i < blocks; i++) if (this.isPlugged(i)) this.#plugged++;
  }

  get pluggedBlocks(): number {
    return this.#plugged;
  }

  isPlugged(block: number): boolean {
    return (this.#bits[block >> 3]! & (1 << (block & 7))) !== 0;
  }

  /** virtio_mem_is_range_plugged / _unplugged, answered as one of three states. */
  rangeState(first: number, count: number): RangeState {
    let plugged = 0;
    for (let i = first; i < first + count; i++) if (this.isPlugged(i)) plugged++;
    return plugged === count ? 'plugged' : plugged === 0 ? 'unplugged' : 'mixed';
  }

  set(first: number, count: number, plugged: boolean): void {
    for (let i = first; i < first + count; i++) {
      if (this.isPlugged(i) === plugged) continue;
      this.#bits[i >> 3] = this.#bits[i >> 3]! ^ (1 << (i & 7));
      this.#plugged += plugged ? 1 : -1;
    }
  }

  clear(): void {
    this.#bits.fill(0);
    this.#plugged = 0;
  }

  /** Maximal runs of plugged (or unplugged) blocks, for discards, migration and dumps. */
  *runs(plugged: boolean): Generator<{ readonly first: number; readonly count: number }> {
    let start = -1;
    for (let i = 0; i <= this.blocks; i++) {
      const match = i < this.blocks && this.isPlugged(i) === plugged;
      if (match && start < 0) start = i;
      if (!match && start >= 0) {
        yield { first: start, count: i - start };
        start = -1;
      }
    }
  }

  copy(): BlockBitmap {
    return new BlockBitmap(this.blocks, this.#bits);
  }

  bytes(): Uint8Array {
    return this.#bits.slice();
  }
}
