/**
 * Guest-physical byte ranges and a set of them. The guest models track which memory is RAM, which
 * pages the page allocator owns and which ones a workload uses as sorted disjoint extents, so the
 * cost of an operation follows the number of extents it touches, never the size of guest memory.
 */

/** [start, start + length) in guest-physical bytes. */
export interface GpaRange {
  readonly start: number;
  readonly length: number;
}

export const gpaRange = (start: number, length: number): GpaRange => Object.freeze({ start, length });
export const rangeEnd = (r: GpaRange): number => r.start + r.length;

/** A mutable set of guest-physical bytes kept as sorted, disjoint, non-adjacent extents. */
export class RangeSet {
  /** Extents as [start, end) pairs, sorted and merged. */
  #extents: { start: number; end: number }[] = [];

  add(start: number, length: number): void {
    if (length <= 0) return;
    let s = start;
    let e = start + length;
    const kept: { start: number; end: number }[] = [];
    for (const x of this.#extents) {
      if (x.end < s || x.start > e) {
        kept.push(x);
      } else {
        s = Math.min(s, x.start);
        e = Math.max(e, x.end);
      }
    }
    kept.push({ start: s, end: e });
    kept.sort((a, b) => a.start - b.start);
    this.#extents = kept;
  }

  remove(start: number, length: number): void {
    if (length <= 0) return;
    const end = start + length;
    const kept: { start: number; end: number }[] = [];
    for (const x of this.#extents) {
      if (x.end <= start || x.start >= end) {
        kept.push(x);
        continue;
      }
      if (x.start < start) kept.push({ start: x.start, end: start });
      if (x.end > end) kept.push({ start: end, end: x.end });
    }
    this.#extents = kept;
  }

  /** Whether any byte of the range is in the set. */
  overlaps(start: number, length: number): boolean {
    const end = start + length;
    return this.#extents.some((x) => x.start < end && x.end > start);
  }

  /** Whether every byte of the range is in the set. */
  covers(start: number, length: number): boolean {
    const end = start + length;
    return this.#extents.some((x) => x.start <= start && x.end >= end);
  }

  /** The parts of the range that are in the set, in address order. */
  within(start: number, length: number): GpaRange[] {
    const end = start + length;
    const out: GpaRange[] = [];
    for (const x of this.#extents) {
      const s = Math.max(x.start, start);
      const e = Math.min(x.end, end);
      if (s < e) out.push(gpaRange(s, e - s));
    }
    return out;
  }

  /** Bytes of the set inside the range. */
  bytesWithin(start: number, length: number): number {
    return this.within(start, length).reduce((n, r) => n + r.length, 0);
  }

  ranges(): GpaRange[] {
    return this.#extents.map((x) => gpaRange(x.start, x.end - x.start));
  }
}
