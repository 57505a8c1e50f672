/**
 * The order in which GLib's GHashTable (string keys, g_str_hash) yields its keys. QEMU keeps an
 * object's children and properties in one, and lists them by walking it (qom-list, query-memdev,
 * object_child_foreach), so its answers come in this order, not in creation order. The order
 * depends on the keys and on the history of insertions and removals (collisions, tombstones,
 * resizes), which is why the table is replayed rather than the keys sorted.
 *
 * The slot layout follows ghash.c as GLib 2.59 and later lay it out (Debian 11 to 14 ship
 * 2.66-2.86): 8 slots to start, the hash times 11 modulo the prime below the table size for the
 * first probe, quadratic probing after it, a resize when the table is 15/16 occupied or 1/4 full,
 * and an in-place rehash that walks the old slots in order, evicting as it goes.
 */

/** ghash.c prime_mod: the modulus for a table of 1 << shift slots. */
const PRIME_MOD: readonly number[] = [
  1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213,
];
const MIN_SHIFT = 3;
const UNUSED = 0;
const TOMBSTONE = 1;
const isReal = (hash: number): boolean => hash >= 2;

/** g_str_hash: djb2 over the key's bytes as signed chars, in 32 bits. */
export function gStrHash(key: string): number {
  let h = 5381;
  for (const byte of Buffer.from(key, 'utf8')) h = (Math.imul(h, 33) + (byte > 127 ? byte - 256 : byte)) >>> 0;
  return h;
}

export class GHashOrder {
  #shift = MIN_SHIFT;
  #hashes: number[] = new Array<number>(1 << MIN_SHIFT).fill(UNUSED);
  #keys: (string | undefined)[] = new Array<string | undefined>(1 << MIN_SHIFT).fill(undefined);
  #nnodes = 0;
  #noccupied = 0;

  get #size(): number {
    return 1 << this.#shift;
  }

  #index(hash: number): number {
    return (Math.imul(hash, 11) >>> 0) % PRIME_MOD[this.#shift]!;
  }

  /** g_hash_table_lookup_node: the key's slot, or where it would go (the first tombstone passed). */
  #lookup(key: string): { readonly slot: number; readonly hash: number } {
    let hash = gStrHash(key);
    if (!isReal(hash)) hash = 2;
    const mask = this.#size - 1;
    let slot = this.#index(hash);
    let step = 0;
    let tombstone = -1;
    while (this.#hashes[slot] !== UNUSED) {
      if (this.#hashes[slot] === hash && this.#keys[slot] === key) return { slot, hash };
      if (this.#hashes[slot] === TOMBSTONE && tombstone < 0) tombstone = slot;
      step++;
      slot = (slot + step) & mask;
    }
    return { slot: tombstone >= 0 ? tombstone : slot, hash };
  }

  insert(key: string): void {
    const { slot, hash } = this.#lookup(key);
    const old = this.#hashes[slot]!;
    if (isReal(old)) return;
    this.#hashes[slot] = hash;
    this.#keys[slot] = key;
    this.#nnodes++;
    if (old === UNUSED) {
      this.#noccupied++;
      this.#maybeResize();
    }
  }

  remove(key: string): void {
    const { slot } = this.#lookup(key);
    if (!isReal(this.#hashes[slot]!)) return;
    this.#hashes[slot] = TOMBSTONE;
    this.#keys[slot] = undefined;
    this.#nnodes--;
    this.#maybeResize();
  }

  /** The keys as g_hash_table_foreach / GHashTableIter visit them. */
  keys(): string[] {
    const out: string[] = [];
    for (let slot = 0; slot < this.#size; slot++) if (isReal(this.#hashes[slot]!)) out.push(this.#keys[slot]!);
    return out;
  }

  #maybeResize(): void {
    const size = this.#size;
    const occupied = this.#noccupied;
    if ((size > this.#nnodes * 4 && size > 1 << MIN_SHIFT) || size <= occupied + Math.floor(occupied / 16)) this.#resize();
  }

  /** g_hash_table_resize with resize_map: tombstones dropped, entries moved in slot order. */
  #resize(): void {
    const oldSize = this.#size;
    let wanted = Math.floor(this.#nnodes * 1.333);
    let shift = 0;
    while (wanted) {
      shift++;
      wanted >>= 1;
    }
    this.#shift = Math.max(shift, MIN_SHIFT);
    const size = this.#size;
    const mask = size - 1;
    for (let slot = oldSize; slot < size; slot++) {
      this.#hashes[slot] = UNUSED;
      this.#keys[slot] = undefined;
    }
    const relocated = new Set<number>();
    for (let i = 0; i < oldSize; i++) {
      let hash = this.#hashes[i]!;
      if (!isReal(hash)) {
        this.#hashes[i] = UNUSED;
        continue;
      }
      if (relocated.has(i)) continue;
      this.#hashes[i] = UNUSED;
      let key = this.#keys[i];
      this.#keys[i] = undefined;
      for (;;) {
        let slot = this.#index(hash);
        let step = 0;
        while (relocated.has(slot)) {
          step++;
          slot = (slot + step) & mask;
        }
        relocated.add(slot);
        const replaced = this.#hashes[slot]!;
        const evicted = this.#keys[slot];
        this.#hashes[slot] = hash;
        this.#keys[slot] = key;
        if (!isReal(replaced)) break;
        hash = replaced;
        key = evicted;
      }
    }
    this.#hashes.length = size;
    this.#keys.length = size;
    this.#noccupied = this.#nnodes;
  }
}
