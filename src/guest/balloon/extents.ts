/**
 * A set of guest-physical bytes as sorted, disjoint, non-adjacent [start, end) extents, with the
 * operations the page allocator model needs: take from the top, take aligned blocks, and split
 * into buddy blocks. Costs follow the number of extents, never the bytes they cover.
 */
import type { GuestPagesRange } from '../../../devices/virtio-balloon/port.js';

export type Range = GuestPagesRange;

export class Extents {
  /** Sorted by start; neighbours never touch (they are merged). */
  #list: { start: number; end: number }[] = [];

  static of(ranges: readonly Range[]): Extents {
    const set = new Extents();
    for (const r of ranges) set.add(r.gpa, r.length);
    return set;
  }

  /** Index of the first extent ending at or after `at`. */
  #firstEndingFrom(at: number): number {
    let lo = 0;
    let hi = this.#list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#list[mid]!.end < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(start: number, length: number): void {
    if (length <= 0) return;
    let s = start;
    let e = start + length;
    const i = this.#firstEndingFrom(s);
    let j = i;
    while (j < this.#list.length && this.#list[j]!.start <= e) {
      s = Math.min(s, this.#list[j]!.start);
      e = Math.max(e, this.#list[j]!.end);
      j++;
    }
    this.#list.splice(i, j - i, { start: s, end: e });
  }

  remove(start: number, length: number): void {
    if (length <= 0) return;
    const end = start + length;
    const i = this.#firstEndingFrom(start + 1);
    let j = i;
    const kept: { start: number; end: number }[] = [];
    while (j < this.#list.length && this.#list[j]!.start < end) {
      const x = this.#list[j]!;
      if (x.start < start) kept.push({ start: x.start, end: start });
      if (x.end > end) kept.push({ start: end, end: x.end });
      j++;
    }
    this.#list.splice(i, j - i, ...kept);
  }

  /** Bytes of the set inside [start, start + length). */
  bytesWithin(start: number, length: number): number {
    const end = start + length;
    let n = 0;
    for (let i = this.#firstEndingFrom(start + 1); i < this.#list.length && this.#list[i]!.start < end; i++) {
      const x = this.#list[i]!;
      n += Math.min(end, x.end) - Math.max(start, x.start);
    }
    return n;
  }

  /** Whether every byte of the range is in the set. */
  covers(start: number, length: number): boolean {
    return this.bytesWithin(start, length) === length;
  }

  total(): number {
    return this.#list.reduce((n, x) => n + x.end - x.start, 0);
  }

  ranges(): Range[] {
    return this.#list.map((x) => ({ gpa: x.start, length: x.end - x.start }));
  }

  /** Removes up to `bytes` from the top of the set (`within` limits where), highest addresses first. */
  takeHighest(bytes: number, within?: Range): Range[] {
    const out: Range[] = [];
    let left = bytes;
    const lo = within?.gpa ?? 0;
    const hi = within ? within.gpa + within.length : Number.POSITIVE_INFINITY;
    for (let i = this.#list.length - 1; i >= 0 && left > 0; i--) {
      const x = this.#list[i]!;
      const top = Math.min(x.end, hi);
      const bottom = Math.max(x.start, lo);
      if (top <= bottom) continue;
      const n = Math.min(left, top - bottom);
      out.push({ gpa: top - n, length: n });
      left -= n;
    }
    for (const r of out) this.remove(r.gpa, r.length);
    return out;
  }

  /** Removes up to `bytes` from the bottom of the set (`within` limits where), lowest addresses first. */
  takeLowest(bytes: number, within?: Range): Range[] {
    const out: Range[] = [];
    let left = bytes;
    const lo = within?.gpa ?? 0;
    const hi = within ? within.gpa + within.length : Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.#list.length && left > 0; i++) {
      const x = this.#list[i]!;
      const bottom = Math.max(x.start, lo);
      const top = Math.min(x.end, hi);
      if (top <= bottom) continue;
      const n = Math.min(left, top - bottom);
      out.push({ gpa: bottom, length: n });
      left -= n;
    }
    for (const r of out) this.remove(r.gpa, r.length);
    return out;
  }

  /**
   * The set cut into buddy blocks: maximal naturally aligned power-of-two blocks of at most
   * `maxBlock` bytes and at least `minBlock`, highest first (smaller pieces are left out).
   */
  blocks(minBlock: number, maxBlock: number, within?: Range): Range[] {
    const out: Range[] = [];
    const lo = within?.gpa ?? 0;
    const hi = within ? within.gpa + within.length : Number.POSITIVE_INFINITY;
    for (let i = this.#list.length - 1; i >= 0; i--) {
      const x = this.#list[i]!;
      let end = Math.min(x.end, hi);
      const start = Math.max(x.start, lo);
      while (end - start >= minBlock) {
        let size = maxBlock;
        while (size >= minBlock && (end % size !== 0 || end - size < start)) size /= 2;
        if (size < minBlock) {
          // The top is not aligned to any reportable size: skip down to the next aligned address.
          end = Math.floor(end / minBlock) * minBlock;
          continue;
        }
        out.push({ gpa: end - size, length: size });
        end -= size;
      }
    }
    return out;
  }
}
