/**
 * PageStore: one state byte per page, kept per PMD-sized chunk so that work is proportional to
 * the chunks an operation touches, never to the pages behind them.
 *
 * A chunk is either uniform (one state code for all its pages, no allocation) or mixed (one
 * byte per page, packed with the other mixed chunks' in MixedChunks). Content is a 32-bit tag per page where the guest wrote
 * data (0 = zero-filled), kept the same way: one tag for the whole chunk or a Uint32Array.
 * Pages in states that do not own their content (none, zeropage, a mapping of someone else's
 * page) always have tag 0. Running per-state page counts make accounting reads O(1).
 */

import { hostErrors } from './errors.js';
import { MixedChunks } from './mixed-chunks.js';
import { PageTags } from './page-tags.js';

/** Content tags are 32-bit: 0 is zero-filled memory, anything else names what the guest wrote. */
export function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw hostErrors.error('host.bad-tag', { tag });
}

/** Code of a chunk whose pages differ; its states live in a per-page array. */
const MIXED = 255;

/** A state transition table: `table[old] = new` for every state code. */
export type Transition = Uint8Array;

/** Builds a transition table over `stateCount` states from a list of [from, to] pairs. */
export function transition(stateCount: number, pairs: ReadonlyArray<readonly [number, number]>): Transition {
  const t = new Uint8Array(256);
  for (let s = 0; s < 256; s++) t[s] = s;
  for (const [from, to] of pairs) {
    if (from >= stateCount || to >= stateCount) throw new RangeError(`state out of range: ${from} -> ${to}`);
    t[from] = to;
  }
  return t;
}

/** A table sending every state to `to`. */
export function fillWith(to: number): Transition {
  return new Uint8Array(256).fill(to);
}

/** A run of pages with the same content. */
export interface ContentRun {
  readonly page: number;
  readonly pages: number;
  /** 0 = zero-filled, otherwise the tag the guest wrote. */
  readonly tag: number;
}

export class PageStore {
  readonly pageCount: number;
  readonly pagesPerChunk: number;
  readonly chunkCount: number;
  /** Pages per state, maintained on every change. */
  readonly counts: Float64Array;
  readonly #codes: Uint8Array;
  readonly #mixed: MixedChunks;
  /** The content tag of every page of a chunk without per-page tags (0 = zero-filled). */
  readonly #uniformTags: Uint32Array;
  readonly #pageTags: PageTags;
  readonly #owns: Uint8Array;

  /**
   * @param stateCount number of state codes (0 is the initial state of every page)
   * @param contentOwners states whose pages own their content (tags survive in them)
   */
  constructor(pageCount: number, pagesPerChunk: number, stateCount: number, contentOwners: readonly number[]) {
    this.pageCount = pageCount;
    this.pagesPerChunk = pagesPerChunk;
    this.chunkCount = Math.ceil(pageCount / pagesPerChunk);
    this.counts = new Float64Array(stateCount);
    this.counts[0] = pageCount;
    this.#codes = new Uint8Array(this.chunkCount);
    this.#uniformTags = new Uint32Array(this.chunkCount);
    this.#mixed = new MixedChunks(this.chunkCount, pagesPerChunk, stateCount);
    this.#pageTags = new PageTags(this.chunkCount, pagesPerChunk);
    this.#owns = new Uint8Array(256);
    for (const s of contentOwners) this.#owns[s] = 1;
  }

  /** Pages in chunk `c` (the last chunk may be short). */
  pagesIn(c: number): number {
    return c === this.chunkCount - 1 ? this.pageCount - c * this.pagesPerChunk : this.pagesPerChunk;
  }

  /** The chunk's uniform state, or -1 if its pages differ. */
  uniformState(c: number): number {
    const code = this.#codes[c]!;
    return code === MIXED ? -1 : code;
  }

  stateAt(page: number): number {
    const c = Math.floor(page / this.pagesPerChunk);
    const code = this.#codes[c]!;
    return code === MIXED ? this.#mixed.states[this.#mixed.statesBase(c) + page - c * this.pagesPerChunk]! : code;
  }

  /** Number of mixed chunks (each holds a per-page array): the store's variable memory. */
  get mixedChunks(): number {
    return this.#mixed.size;
  }

  /**
   * Applies `table` to pages [lo, hi) of chunk `c` (chunk-relative). Pages that end in a
   * content-owning state get `tag` when it is given and keep their content otherwise; pages that
   * end in any other state lose their content.
   */
  apply(c: number, lo: number, hi: number, table: Transition, tag?: number): void {
    if (lo >= hi) return;
    const code = this.#codes[c]!;
    const n = this.pagesIn(c);
    if (code !== MIXED) {
      const to = table[code]!;
      if (lo === 0 && hi === n) {
        this.counts[code]! -= n;
        this.counts[to]! += n;
        this.#codes[c] = to;
        if (!this.#owns[to]) this.#dropTags(c);
        else if (tag !== undefined) this.#setUniformTag(c, tag);
        return;
      }
      const tagChanges = tag !== undefined && this.#owns[to] === 1 && (this.#pageTags.base(c) >= 0 || tag !== this.#uniformTags[c]);
      if (to === code && !tagChanges) return;
      this.#mixed.add(c, code, n);
      this.#codes[c] = MIXED;
    }
    const states = this.#mixed.states;
    const local = this.#mixed.counts;
    const sb = this.#mixed.statesBase(c);
    const cb = this.#mixed.countsBase(c);
    const counts = this.counts;
    const owns = this.#owns;
    // Content is only touched where the chunk has some, or gets some now.
    const hasTags = this.#pageTags.base(c) >= 0 || this.#uniformTags[c] !== 0 || (tag !== undefined && tag !== 0);
    const tb = hasTags ? this.#materializeTags(c) : -1;
    const tags = this.#pageTags.data;
    let lastTo = -1;
    for (let i = lo; i < hi; i++) {
      const from = states[sb + i]!;
      const to = table[from]!;
      if (to !== from) {
        lastTo = to;
        counts[from]!--;
        counts[to]!++;
        local[cb + from]!--;
        local[cb + to]!++;
        states[sb + i] = to;
      }
      if (tb >= 0) {
        if (!owns[to]) tags[tb + i] = 0;
        else if (tag !== undefined) tags[tb + i] = tag;
      }
    }
    this.#collapseIfUniform(c, n, lastTo >= 0 ? lastTo : states[sb + lo]!);
  }

  /** The state every page is in, or -1: then every chunk is uniform in it. */
  soleState(): number {
    const code = this.#codes[0];
    return code !== undefined && code !== MIXED && this.counts[code] === this.pageCount ? code : -1;
  }

  /** Applies `table` to pages [startPage, endPage) of the store, chunk by chunk. */
  applyRange(startPage: number, endPage: number, table: Transition, tag?: number): void {
    // A store in one state the table keeps does not change (a fresh region discarded whole
    // at a device's realize): pages that do not own content have no tags to drop.
    const sole = this.soleState();
    if (sole >= 0 && table[sole] === sole && (tag === undefined || this.#owns[sole] === 0)) return;
    this.forChunks(startPage, endPage, (c, lo, hi) => this.apply(c, lo, hi, table, tag));
  }

  /**
   * Calls `fn(chunk, lo, hi)` for every chunk overlapping [startPage, endPage), with lo/hi
   * relative to the chunk; stops early if `fn` returns false.
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- callbacks that never stop early return nothing
  forChunks(startPage: number, endPage: number, fn: (c: number, lo: number, hi: number) => boolean | void): void {
    const ppc = this.pagesPerChunk;
    for (let c = Math.floor(startPage / ppc); c * ppc < endPage; c++) {
      const base = c * ppc;
      const lo = Math.max(startPage, base) - base;
      const hi = Math.min(endPage, base + this.pagesIn(c)) - base;
      if (fn(c, lo, hi) === false) return;
    }
  }

  /** First chunk-relative page in [lo, hi) of chunk `c` whose state is `state`, or -1. */
  firstIn(c: number, lo: number, hi: number, state: number): number {
    const code = this.#codes[c]!;
    if (code !== MIXED) return code === state && lo < hi ? lo : -1;
    if (this.#mixed.counts[this.#mixed.countsBase(c) + state] === 0) return -1;
    const states = this.#mixed.states;
    const sb = this.#mixed.statesBase(c);
    for (let i = lo; i < hi; i++) if (states[sb + i] === state) return i;
    return -1;
  }

  /** First chunk-relative page in [lo, hi) of chunk `c` whose state is not `state`, or -1. */
  firstNotIn(c: number, lo: number, hi: number, state: number): number {
    const code = this.#codes[c]!;
    if (code !== MIXED) return code !== state && lo < hi ? lo : -1;
    const states = this.#mixed.states;
    const sb = this.#mixed.statesBase(c);
    for (let i = lo; i < hi; i++) if (states[sb + i] !== state) return i;
    return -1;
  }

  /**
   * Calls `fn(runLo, runHi)` for each maximal run of pages in [lo, hi) of chunk `c` whose state
   * has `mask[state] === 1`. Collect the runs before changing the chunk.
   */
  runsIn(c: number, lo: number, hi: number, mask: Uint8Array): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    const code = this.#codes[c]!;
    if (code !== MIXED) {
      if (mask[code] === 1 && lo < hi) runs.push([lo, hi]);
      return runs;
    }
    const states = this.#mixed.states;
    const sb = this.#mixed.statesBase(c);
    let start = -1;
    for (let i = lo; i < hi; i++) {
      if (mask[states[sb + i]!] === 1) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        runs.push([start, i]);
        start = -1;
      }
    }
    if (start >= 0) runs.push([start, hi]);
    return runs;
  }

  /** Number of pages in [lo, hi) of chunk `c` in `state`. */
  countIn(c: number, lo: number, hi: number, state: number): number {
    const code = this.#codes[c]!;
    if (code !== MIXED) return code === state ? hi - lo : 0;
    if (lo === 0 && hi === this.pagesIn(c)) return this.#mixed.counts[this.#mixed.countsBase(c) + state]!;
    const states = this.#mixed.states;
    const sb = this.#mixed.statesBase(c);
    let n = 0;
    for (let i = lo; i < hi; i++) if (states[sb + i] === state) n++;
    return n;
  }

  /** Adds the number of pages in each state within [startPage, endPage) into `out`. */
  countRange(startPage: number, endPage: number, out: Float64Array): Float64Array {
    const sole = this.soleState();
    if (sole >= 0) {
      out[sole]! += Math.max(0, Math.min(endPage, this.pageCount) - startPage);
      return out;
    }
    this.forChunks(startPage, endPage, (c, lo, hi) => {
      const code = this.#codes[c]!;
      if (code !== MIXED) {
        out[code]! += hi - lo;
        return;
      }
      const states = this.#mixed.states;
      const sb = this.#mixed.statesBase(c);
      for (let i = lo; i < hi; i++) out[states[sb + i]!]!++;
    });
    return out;
  }

  /** Chunks that hold at least one page in `state`, in order (scans one byte per chunk). */
  chunksWith(state: number): number[] {
    const out: number[] = [];
    if (this.counts[state] === 0) return out;
    const codes = this.#codes;
    for (let c = 0; c < codes.length; c++) {
      const code = codes[c]!;
      if (code === state || (code === MIXED && this.#mixed.counts[this.#mixed.countsBase(c) + state]! > 0)) out.push(c);
    }
    return out;
  }

  tagAt(page: number): number {
    const c = Math.floor(page / this.pagesPerChunk);
    const tb = this.#pageTags.base(c);
    return tb >= 0 ? this.#pageTags.data[tb + page - c * this.pagesPerChunk]! : this.#uniformTags[c]!;
  }

  /** The content tag of [lo, hi) of chunk `c` if it is the same for all those pages, else -1. */
  uniformTagIn(c: number, lo: number, hi: number): number {
    const tb = this.#pageTags.base(c);
    if (tb < 0) return this.#uniformTags[c]!;
    const t = this.#pageTags.data;
    const first = t[tb + lo]!;
    for (let i = lo + 1; i < hi; i++) if (t[tb + i] !== first) return -1;
    return first;
  }

  /**
   * Gives pages [lo, hi) of chunk `c` the content of the same pages of chunk `srcChunk` in
   * `src` (a copy-on-write or UFFDIO_COPY). Only pages in content-owning states take it.
   */
  copyTagsFrom(c: number, lo: number, hi: number, src: PageStore, srcChunk: number): void {
    const uniform = src.uniformTagIn(srcChunk, lo, hi);
    if (uniform >= 0) {
      this.#setTagsIn(c, lo, hi, uniform);
      return;
    }
    const tb = this.#materializeTags(c);
    const tags = this.#pageTags.data;
    const base = srcChunk * src.pagesPerChunk;
    for (let i = lo; i < hi; i++) tags[tb + i] = this.#ownsAt(c, i) ? src.tagAt(base + i) : 0;
    this.#normalizeTags(c, this.pagesIn(c));
  }

  /** Runs of equal content over [startPage, endPage). */
  contentRuns(startPage: number, endPage: number): ContentRun[] {
    const runs: ContentRun[] = [];
    let runStart = startPage;
    let runTag = -1;
    const push = (page: number, tag: number) => {
      if (tag === runTag) return;
      if (runTag >= 0) runs.push({ page: runStart, pages: page - runStart, tag: runTag });
      runStart = page;
      runTag = tag;
    };
    this.forChunks(startPage, endPage, (c, lo, hi) => {
      const base = c * this.pagesPerChunk;
      const tb = this.#pageTags.base(c);
      if (tb < 0) {
        push(base + lo, this.#uniformTags[c]!);
        return;
      }
      const t = this.#pageTags.data;
      for (let i = lo; i < hi; i++) push(base + i, t[tb + i]!);
    });
    if (runTag >= 0) runs.push({ page: runStart, pages: endPage - runStart, tag: runTag });
    return runs;
  }

  #ownsAt(c: number, i: number): boolean {
    const code = this.#codes[c]!;
    return this.#owns[code === MIXED ? this.#mixed.states[this.#mixed.statesBase(c) + i]! : code] === 1;
  }

  #setTagsIn(c: number, lo: number, hi: number, tag: number): void {
    const n = this.pagesIn(c);
    const code = this.#codes[c]!;
    if (lo === 0 && hi === n && code !== MIXED) {
      if (this.#owns[code]) this.#setUniformTag(c, tag);
      return;
    }
    if (tag === 0 && this.#uniformTags[c] === 0 && this.#pageTags.base(c) < 0) return;
    const tb = this.#materializeTags(c);
    const tags = this.#pageTags.data;
    for (let i = lo; i < hi; i++) tags[tb + i] = this.#ownsAt(c, i) ? tag : 0;
    this.#normalizeTags(c, n);
  }

  #setUniformTag(c: number, tag: number): void {
    this.#pageTags.remove(c);
    this.#uniformTags[c] = tag;
  }

  #dropTags(c: number): void {
    this.#pageTags.remove(c);
    this.#uniformTags[c] = 0;
  }

  /** Gives chunk `c` per-page tags if it has none yet; returns where they start in the tag array. */
  #materializeTags(c: number): number {
    const tb = this.#pageTags.base(c);
    if (tb >= 0) return tb;
    const base = this.#pageTags.add(c, this.#uniformTags[c]!, this.pagesIn(c));
    this.#uniformTags[c] = 0;
    return base;
  }

  #normalizeTags(c: number, n: number): void {
    const tb = this.#pageTags.base(c);
    if (tb < 0) return;
    const t = this.#pageTags.data;
    const first = t[tb]!;
    for (let i = 1; i < n; i++) if (t[tb + i] !== first) return;
    this.#setUniformTag(c, first);
  }

  /**
   * A mixed chunk whose pages all reached one state becomes uniform again (its tags too, if they
   * agree). Only `candidate` can be that state: the last state a page moved to, or, when none
   * moved, the state of a chunk that was uniform before this change.
   */
  #collapseIfUniform(c: number, n: number, candidate: number): void {
    if (this.#mixed.counts[this.#mixed.countsBase(c) + candidate] !== n) return;
    this.#mixed.remove(c);
    this.#codes[c] = candidate;
    this.#normalizeTags(c, n);
  }
}
