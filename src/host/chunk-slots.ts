/**
 * Which chunks own a fixed-size record in a packed array, and where.
 *
 * A Map of small per-chunk typed arrays costs a chain of dependent cache misses on every lookup
 * (hash bucket, entry, array object, backing store); with random faults over a large guest that
 * chain was most of a fault's cost. A slot index keeps a chunk's record one read away, at 4 bytes
 * per chunk, and reuses the slots of chunks that gave theirs back.
 */
export class ChunkSlots {
  /** Slot + 1 of every chunk that has one (0 = none). */
  readonly #slotOf: Int32Array;
  readonly #free: number[] = [];
  #size = 0;
  /** Slots the owner's arrays must hold; doubles when a new slot does not fit. */
  capacity = 0;

  constructor(chunkCount: number) {
    this.#slotOf = new Int32Array(chunkCount);
  }

  get size(): number {
    return this.#size;
  }

  /** Chunk `c`'s slot, or -1. */
  of(c: number): number {
    return this.#slotOf[c]! - 1;
  }

  /** Gives chunk `c` a slot; the owner grows its arrays to `capacity` before using it. */
  acquire(c: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#size;
      if (slot === this.capacity) this.capacity = Math.max(8, this.capacity * 2);
    }
    this.#size++;
    this.#slotOf[c] = slot + 1;
    return slot;
  }

  release(c: number): void {
    this.#free.push(this.#slotOf[c]! - 1);
    this.#slotOf[c] = 0;
    this.#size--;
  }
}

/** A typed array grown to `length` elements, keeping its contents. */
export function grown<A extends Uint8Array | Uint32Array>(array: A, length: number, make: (length: number) => A): A {
  if (array.length >= length) return array;
  const next = make(length);
  next.set(array);
  return next;
}
