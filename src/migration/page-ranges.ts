/**
 * A set of page indices kept as sorted, disjoint, non-adjacent [start, end) runs: QEMU's
 * per-RAMBlock dirty bitmap (and the destination's receivedmap) at the cost of the runs it
 * holds, so a 100 GiB block that is all dirty is one entry, not 26 million bits.
 */
export class PageRanges {
  #starts: number[] = [];
  #ends: number[] = [];
  #pages = 0;

  static of(start: number, end: number): PageRanges {
    const r = new PageRanges();
    r.add(start, end);
    return r;
  }

  get pages(): number {
    return this.#pages;
  }

  get empty(): boolean {
    return this.#pages === 0;
  }

  /** Adds pages [s, e). */
  add(s: number, e: number): void {
    if (s >= e) return;
    // Runs that overlap or touch [s, e) merge with it.
    const i = this.#firstEndingAtOrAfter(s);
    let j = i;
    let start = s;
    let end = e;
    let absorbed = 0;
    while (j < this.#starts.length && this.#starts[j]! <= e) {
      start = Math.min(start, this.#starts[j]!);
      end = Math.max(end, this.#ends[j]!);
      absorbed += this.#ends[j]! - this.#starts[j]!;
      j++;
    }
    this.#starts.splice(i, j - i, start);
    this.#ends.splice(i, j - i, end);
    this.#pages += end - start - absorbed;
  }

  /** Removes pages [s, e). */
  remove(s: number, e: number): void {
    if (s >= e) return;
    const i = this.#firstEndingAfter(s);
    const newStarts: number[] = [];
    const newEnds: number[] = [];
    let j = i;
    while (j < this.#starts.length && this.#starts[j]! < e) {
      const a = this.#starts[j]!;
      const b = this.#ends[j]!;
      if (a < s) {
        newStarts.push(a);
        newEnds.push(s);
      }
      if (b > e) {
        newStarts.push(e);
        newEnds.push(b);
      }
      this.#pages -= Math.min(b, e) - Math.max(a, s);
      j++;
    }
    this.#starts.splice(i, j - i, ...newStarts);
    this.#ends.splice(i, j - i, ...newEnds);
  }

  has(page: number): boolean {
    const i = this.#firstEndingAfter(page);
    return i < this.#starts.length && this.#starts[i]! <= page;
  }

  /** The runs, in order. */
  runs(): Array<readonly [number, number]> {
    return this.#starts.map((s, i) => [s, this.#ends[i]!] as const);
  }

  /** The first run, or undefined. */
  first(): readonly [number, number] | undefined {
    return this.#starts.length === 0 ? undefined : [this.#starts[0]!, this.#ends[0]!];
  }

  /** Adds every page of `other`. */
  addAll(other: PageRanges): void {
    for (const [s, e] of other.runs()) this.add(s, e);
  }

  /** Removes every page of `other`. */
  removeAll(other: PageRanges): void {
    for (const [s, e] of other.runs()) this.remove(s, e);
  }

  clear(): void {
    this.#starts = [];
    this.#ends = [];
    this.#pages = 0;
  }

  /** Index of the first run with end >= p (a run touching p merges with it). */
  #firstEndingAtOrAfter(p: number): number {
    let lo = 0;
    let hi = this.#ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#ends[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first run with end > p (the run that could contain p). */
  #firstEndingAfter(p: number): number {
    let lo = 0;
    let hi = this.#ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#ends[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
