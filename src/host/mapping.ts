/**
 * A mapping (a VMA) of a QEMU process: guest RAM as one backend maps it. It answers the
 * questions devices ask — the guest reads or writes these pages, populate that range, discard
 * this one — with what each cost, following what Linux does for the mapping's kind:
 *
 * | kind                          | read fault on an empty page          | write fault                       |
 * |-------------------------------|--------------------------------------|-----------------------------------|
 * | private anonymous             | shared zeropage (huge zeropage on a  | private page (a THP on an empty   |
 * |                               | THP-able empty PMD); a private page  | THP-able PMD)                     |
 * |                               | where the mm forbids the zeropage    |                                   |
 * | shared: anon, memfd, file     | page-cache page allocated and mapped | same, content goes to the object  |
 * | private: memfd, file          | page-cache page allocated and mapped | page cache populated, then copied |
 * | hugetlb shared / private      | huge page from the pool              | private: copy or new huge page    |
 *
 * (linux.md §3.1, §3.2; `do_anonymous_page()`, `do_huge_pmd_anonymous_page()`, `do_cow_fault()`.)
 *
 * Pages are kept per PMD-sized chunk (chunk.ts); a hugetlb mapping's chunk is one huge page.
 * Page tables are tracked per chunk too (page-table.ts). Not modelled: khugepaged collapsing,
 * shmem THPs (shmem_enabled defaults to never), KSM merging, swap, memory limits.
 */
import { PageStore, checkTag, fillWith, transition, type ContentRun } from './chunk.js';
import type { Errno } from './errno.js';
import { hostErrors } from './errors.js';
import { newFaultCounts, type Cost, type FaultCounts, type MemoryDelta, type MutableFaultCounts, type SyscallOutcome } from './accounting.js';
import { ABSENT, PRESENT, type MemoryObject } from './memory-object.js';
import type { HostProcess } from './process.js';
import { CmmaUsage } from './cmma.js';
import { MappingTables } from './page-table.js';
import { Registrations, type PendingFault, type Registration, type RemovalCause, type Userfaultfd } from './userfaultfd.js';

/** Page states of a mapping, as the page tables see them. */
export const PAGE_STATES = ['none', 'zeropage', 'anon', 'anon-split-thp', 'cache', 'thp', 'huge-zeropage', 'hugetlb-private'] as const;
export type PageStateName = (typeof PAGE_STATES)[number];

const NONE = 0; // no PTE: reading it faults
const ZERO = 1; // PTE maps the shared zeropage (not in RSS)
const ANON = 2; // private anonymous 4 KiB page (RssAnon)
const FOLIO = 3; // a 4 KiB part of a THP whose PMD was split; the THP stays allocated until the deferred split
const CACHE = 4; // PTE maps the object's page-cache page (RssShmem / RssFile / HugetlbPages)
const THP = 5; // PMD maps a THP (whole chunk only)
const HUGE_ZERO = 6; // PMD maps the huge zeropage (whole chunk only)
const HUGETLB_ANON = 7; // private hugetlb page (HugetlbPages)
const STATE_COUNT = 8;

const T_READ_ZERO = transition(STATE_COUNT, [[NONE, ZERO]]);
const T_READ_ANON = transition(STATE_COUNT, [[NONE, ANON]]);
const T_WRITE_ANON = transition(STATE_COUNT, [
  [NONE, ANON],
  [ZERO, ANON],
]);
const T_MAP_CACHE = transition(STATE_COUNT, [[NONE, CACHE]]);
const T_COW_CACHE = transition(STATE_COUNT, [
  [NONE, ANON],
  [CACHE, ANON],
]);
const T_COW_ZERO = transition(STATE_COUNT, [[ZERO, ANON]]);
const T_UNMAP_CACHE = transition(STATE_COUNT, [[CACHE, NONE]]);
const T_ZAP_ZERO = transition(STATE_COUNT, [[ZERO, NONE]]);
const T_DROP_ANON = transition(STATE_COUNT, [
  [ANON, NONE],
  [FOLIO, NONE],
]);
const T_FOLIO_SPLIT = transition(STATE_COUNT, [[FOLIO, ANON]]);
const T_KEEP = transition(STATE_COUNT, []);
const T_ALL_NONE = fillWith(NONE);
const T_ALL_ZERO = fillWith(ZERO);
const T_ALL_FOLIO = fillWith(FOLIO);
const T_ALL_THP = fillWith(THP);
const T_ALL_HUGE_ZERO = fillWith(HUGE_ZERO);
const T_ALL_HUGETLB = fillWith(HUGETLB_ANON);
const T_ALL_ANON = fillWith(ANON);

const mask = (...states: number[]): Uint8Array => {
  const m = new Uint8Array(256);
  for (const s of states) m[s] = 1;
  return m;
};
const M_NONE_OR_CACHE = mask(NONE, CACHE);
const M_NONE = mask(NONE);
const M_ZERO = mask(ZERO);

/** How a mapping's memory behaves. */
export type Backing = 'anon' | 'shmem' | 'file' | 'hugetlb';

/** What an access ran into. */
export type AccessOutcome =
  | (Cost & { readonly kind: 'done' })
  /** A missing page in a userfaultfd-registered range: the access waits for the fault to be answered. */
  | (Cost & { readonly kind: 'blocked'; readonly offset: number; readonly fault: PendingFault })
  | (Cost & { readonly kind: 'sigbus'; readonly offset: number; readonly reason: 'hugetlb-pool-empty' | 'uffd-sigbus' })
  | (Cost & { readonly kind: 'sigsegv'; readonly offset: number; readonly reason: 'read-only' });

/** MADV_POPULATE_*: the faults of an access, answered as a syscall. */
export type PopulateOutcome =
  | (Cost & { readonly kind: 'done' })
  | (Cost & { readonly kind: 'blocked'; readonly offset: number; readonly fault: PendingFault })
  | (Cost & { readonly kind: 'error'; readonly errno: Errno });

/** MADV_DONTNEED, MADV_REMOVE, fallocate(PUNCH_HOLE): done, or an errno. */
export type DiscardOutcome = SyscallOutcome;

/** Flags a backend gives its mapping. */
export interface MappingFlags {
  /** MADV_HUGEPAGE / MADV_NOHUGEPAGE on the range (QEMU advises MADV_HUGEPAGE on guest RAM). */
  readonly thp: 'hugepage' | 'nohugepage' | 'default';
  /** Without MAP_NORESERVE (memory-backend `reserve`); only hugetlb reservations are modelled. */
  readonly reserve: boolean;
  /** memory-backend `prealloc`: populated for writing when mapped. */
  readonly prealloc: boolean;
  /** MADV_MERGEABLE (KSM); recorded, KSM itself is not modelled. */
  readonly merge: boolean;
}

export interface MappingInit {
  readonly process: HostProcess;
  readonly id: number;
  readonly name: string;
  readonly start: number;
  readonly size: number;
  readonly pageSize: number;
  readonly chunkSize: number;
  readonly shared: boolean;
  readonly readonly: boolean;
  readonly backing: Backing;
  readonly object: MemoryObject | undefined;
  readonly objectOffset: number;
  readonly flags: MappingFlags;
}

/** One step of an access, after the range was checked. */
type AccessMode = 'read' | 'write' | 'populate-read' | 'populate-write';

type Stop =
  | { readonly kind: 'blocked'; readonly page: number; readonly fault: PendingFault }
  | { readonly kind: 'sigbus'; readonly page: number; readonly reason: 'hugetlb-pool-empty' | 'uffd-sigbus' };

export class Mapping {
  readonly process: HostProcess;
  readonly id: number;
  readonly name: string;
  /** The mapping's start address in the process. */
  readonly start: number;
  readonly size: number;
  /** Base page size, or the hugetlb page size. */
  readonly pageSize: number;
  /** PMD size for base pages, the page size for hugetlb: the unit pages are kept in. */
  readonly chunkSize: number;
  readonly shared: boolean;
  readonly readonly: boolean;
  readonly backing: Backing;
  readonly object: MemoryObject | undefined;
  /** Offset of the mapping in its object, bytes. */
  readonly objectOffset: number;
  readonly flags: MappingFlags;
  /** Page states and private content. */
  readonly pages: PageStore;
  /** hugetlb reservations of a private hugetlb mapping. */
  reservedLeft = 0;

  readonly #tables: MappingTables;
  readonly #objChunk: number;
  /** Chunks holding pages of a split THP (state FOLIO). */
  readonly #folioChunks = new Set<number>();
  readonly #cmma: CmmaUsage;
  readonly #regs = new Registrations();
  #mapped = true;
  #locked = false;

  constructor(init: MappingInit) {
    this.process = init.process;
    this.id = init.id;
    this.name = init.name;
    this.start = init.start;
    this.size = init.size;
    this.pageSize = init.pageSize;
    this.chunkSize = init.chunkSize;
    this.shared = init.shared;
    this.readonly = init.readonly;
    this.backing = init.backing;
    this.object = init.object;
    this.objectOffset = init.objectOffset;
    this.flags = init.flags;
    const ppc = init.chunkSize / init.pageSize;
    this.pages = new PageStore(init.size / init.pageSize, ppc, STATE_COUNT, [ANON, FOLIO, THP, HUGETLB_ANON]);
    this.#objChunk = init.objectOffset / init.chunkSize;
    this.#cmma = new CmmaUsage(ppc);
    const arch = init.process.host.arch;
    this.#tables = new MappingTables(init.process.pageTables, arch, {
      start: init.start,
      chunkSize: init.chunkSize,
      chunkCount: this.pages.chunkCount,
      leaf: init.backing !== 'hugetlb' ? 'pte' : init.pageSize === arch.pudSize ? 'pud' : 'pmd',
    });
  }

  get mapped(): boolean {
    return this.#mapped;
  }

  /** VM_LOCKED (mlock, mlockall): its pages stay resident, and MADV_DONTNEED and MADV_REMOVE refuse it. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Pages of `pageSize` in the mapping. */
  get pageCount(): number {
    return this.pages.pageCount;
  }

  /** PTE tables this mapping holds. */
  get pteTables(): number {
    return this.#tables.pteTables;
  }

  /** The mapping has a file descriptor a caller can fallocate() (memfd, file; not anonymous memory). */
  get hasFd(): boolean {
    return this.object?.hasFd ?? false;
  }

  /**
   * QEMU's virtio_mem_has_shared_zeropage(): private, no fd, base pages. True means reading an
   * unpopulated page *can* map the shared zeropage; whether it does now is `readMapsZeropage`.
   */
  get hasSharedZeropage(): boolean {
    return !this.shared && !this.object && this.backing === 'anon' && this.pageSize === this.process.host.arch.basePageSize;
  }

  /**
   * Whether a read fault on an empty page maps the (huge) zeropage right now, so reading never
   * allocates: mm_forbids_zeropage() and, where THPs apply, use_zero_page considered. Ranges
   * registered with userfaultfd hand their faults to the monitor instead.
   */
  get readMapsZeropage(): boolean {
    if (!this.hasSharedZeropage || !this.process.zeropageAllowed) return false;
    return this.process.host.kernel.thp.useZeroPage || !this.#thpPossible();
  }

  /** Bytes of this mapping counted in the process's RSS (anon + file + shmem pages mapped). */
  get rssBytes(): number {
    if (this.backing === 'hugetlb') return 0;
    const c = this.pages.counts;
    return (c[ANON]! + c[FOLIO]! + c[THP]! + c[CACHE]!) * this.pageSize;
  }

  /** Pages per state over the whole mapping or a range of it. */
  stateCounts(offset = 0, length = this.size - offset): Record<PageStateName, number> {
    const [s, e] = this.#pageRange(offset, length, 'range');
    const counts = s === 0 && e === this.pages.pageCount ? this.pages.counts : this.pages.countRange(s, e, new Float64Array(STATE_COUNT));
    const out = {} as Record<PageStateName, number>;
    PAGE_STATES.forEach((name, i) => (out[name] = counts[i]!));
    return out;
  }

  /** The state of the page at `offset`. */
  stateAt(offset: number): PageStateName {
    const [s] = this.#pageRange(offset, 0, 'offset');
    return PAGE_STATES[this.pages.stateAt(s)]!;
  }

  /** Content the process would read at `offset` (0 = zeros), without faulting. */
  contentAt(offset: number): number {
    const [s] = this.#pageRange(offset, 0, 'offset');
    return this.#contentOf(s);
  }

  /** Runs of equal content over a range, as the process would read it, without faulting. Offsets in bytes. */
  contentRuns(offset = 0, length = this.size - offset): Array<{ offset: number; length: number; tag: number }> {
    const [s, e] = this.#pageRange(offset, length, 'range');
    const runs: ContentRun[] = [];
    const push = (page: number, pages: number, tag: number) => {
      const last = runs[runs.length - 1];
      if (last && last.tag === tag && last.page + last.pages === page) runs[runs.length - 1] = { page: last.page, pages: last.pages + pages, tag };
      else runs.push({ page, pages, tag });
    };
    const obj = this.object;
    const ppc = this.pages.pagesPerChunk;
    this.pages.forChunks(s, e, (c, lo, hi) => {
      const base = c * ppc;
      const state = this.pages.uniformState(c);
      if (obj && (this.shared || state === NONE || state === CACHE)) {
        const ob = (this.#objChunk + c) * ppc;
        for (const r of obj.pages.contentRuns(ob + lo, ob + hi)) push(r.page - ob + base, r.pages, r.tag);
      } else if (!obj || state >= 0) {
        for (const r of this.pages.contentRuns(base + lo, base + hi)) push(r.page, r.pages, r.tag);
      } else {
        for (let i = lo; i < hi; i++) push(base + i, 1, this.#contentOf(base + i));
      }
    });
    return runs.map((r) => ({ offset: r.page * this.pageSize, length: r.pages * this.pageSize, tag: r.tag }));
  }

  /** The guest (or QEMU) reads [offset, offset + length). */
  read(offset: number, length: number, opts: { by?: string } = {}): AccessOutcome {
    return this.#access('read', offset, length, undefined, opts.by);
  }

  /** The guest (or QEMU) writes [offset, offset + length) with content `tag` (0 = zeros). */
  write(offset: number, length: number, tag: number, opts: { by?: string } = {}): AccessOutcome {
    checkTag(tag);
    return this.#access('write', offset, length, tag, opts.by);
  }

  /**
   * MADV_POPULATE_READ / MADV_POPULATE_WRITE (5.14+; EINVAL before): fault the range in without
   * changing its content. QEMU's prealloc uses `write`.
   */
  populate(offset: number, length: number, mode: 'read' | 'write', opts: { by?: string } = {}): PopulateOutcome {
    this.#checkMapped();
    const kernel = this.process.host.kernel;
    if (!kernel.madvPopulate) return this.#errorOutcome(mode === 'read' ? 'populate-read' : 'populate-write', offset, length, 'EINVAL');
    if (mode === 'write' && this.readonly) return this.#errorOutcome('populate-write', offset, length, 'EINVAL');
    const out = this.#access(mode === 'read' ? 'populate-read' : 'populate-write', offset, length, undefined, opts.by);
    if (out.kind === 'sigbus') return { kind: 'error', errno: 'EFAULT', delta: out.delta, faults: out.faults };
    if (out.kind === 'sigsegv') return { kind: 'error', errno: 'EINVAL', delta: out.delta, faults: out.faults };
    return out;
  }

  /**
   * Touches every page the way QEMU's touch_all_pages() does when MADV_POPULATE_WRITE is
   * missing: each page is read and the byte written back (`*addr = *addr`), so content stays.
   * The read comes first — on THP memory it maps the huge zeropage that the write then splits
   * (or, from 6.13, replaces with a THP).
   */
  touch(offset: number, length: number, opts: { by?: string } = {}): AccessOutcome {
    const read = this.read(offset, length, opts);
    if (read.kind !== 'done') return read;
    const write = this.#access('populate-write', offset, length, undefined, opts.by);
    return { ...write, delta: addDeltas(read.delta, write.delta), faults: addFaults(read.faults, write.faults) };
  }

  /**
   * madvise(MADV_DONTNEED) or madvise(MADV_REMOVE) over [offset, offset + length).
   * DONTNEED drops the PTEs (private pages are freed, page cache stays); REMOVE punches a hole in
   * a shared mapping's object (EINVAL without a file, EACCES on a private or read-only mapping).
   */
  madvise(offset: number, length: number, advice: 'dontneed' | 'remove'): DiscardOutcome {
    this.#checkMapped();
    const op = advice === 'dontneed' ? 'madv-dontneed' : 'madv-remove';
    const [s, e] = this.#pageRange(offset, length, 'discard');
    // madvise_remove refuses VM_LOCKED outright; MADV_DONTNEED refuses it except on hugetlb (5.18+,
    // where hugetlb takes DONTNEED at all).
    if (this.#locked && (advice === 'remove' || this.backing !== 'hugetlb')) return this.#errorOutcome(op, offset, length, 'EINVAL');
    if (advice === 'dontneed') {
      if (this.backing === 'hugetlb' && !this.process.host.kernel.hugetlbDontneed) {
        return this.#errorOutcome(op, offset, length, 'EINVAL');
      }
      const m = this.process._begin();
      this.#notifyRemove(s, e);
      this._zap(s, e, 'madv-dontneed');
      return this.#doneOutcome(m, op, offset, length, newFaultCounts());
    }
    if (!this.object) return this.#errorOutcome(op, offset, length, 'EINVAL');
    if (!this.shared || this.readonly) return this.#errorOutcome(op, offset, length, 'EACCES');
    const m = this.process._begin();
    this.#notifyRemove(s, e);
    this.#noteRemoved(s, e, 'madv-remove');
    this.object.punchHole(this.#objPage(s), this.#objPage(e));
    return this.#doneOutcome(m, op, offset, length, newFaultCounts());
  }

  /**
   * fallocate(fd, PUNCH_HOLE | KEEP_SIZE) on the mapping's file over the same range: frees page
   * cache and unmaps it everywhere. EBADF without a file descriptor (anonymous memory) or on a
   * read-only one.
   */
  punchHole(offset: number, length: number): DiscardOutcome {
    this.#checkMapped();
    const [s, e] = this.#pageRange(offset, length, 'discard');
    if (!this.object || !this.object.hasFd || this.readonly) return this.#errorOutcome('punch-hole', offset, length, 'EBADF');
    const m = this.process._begin();
    this.object.punchHole(this.#objPage(s), this.#objPage(e));
    return this.#doneOutcome(m, 'punch-hole', offset, length, newFaultCounts());
  }

  /**
   * s390x CMMA: the guest marks pages unused (ESSA) or stable again. Unused anonymous pages are
   * dropped instead of swapped when the host reclaims (Host.reclaim()).
   */
  cmmaSetUsage(offset: number, length: number, usage: 'unused' | 'stable'): void {
    this.#checkMapped();
    this.process._requireS390Kvm('CMMA');
    const [s, e] = this.#pageRange(offset, length, 'range');
    this.pages.forChunks(s, e, (c, lo, hi) => this.#cmma.set(c, lo, hi, usage));
  }

  /** Pages currently marked CMMA-unused. */
  get cmmaUnusedPages(): number {
    return this.#cmma.pages;
  }

  // ---- internal: used by the process, objects and userfaultfd ----------------------------------------

  /** Drops the PTEs of pages [s, e) (MADV_DONTNEED semantics), noting the cause for userfaultfd. */
  _zap(s: number, e: number, cause: RemovalCause): void {
    const before = this.#snap();
    this.#noteRemoved(s, e, cause);
    // Nothing mapped and no table to free: the chunks need no visit (a fresh region discarded).
    if (this.pages.soleState() === NONE && this.#tables.pteTables === 0 && this.#cmma.empty && this.#folioChunks.size === 0) {
      this.#settle(before);
      return;
    }
    const n = this.pages.pagesPerChunk;
    const reclaimPt = this.process.ptReclaim;
    this.pages.forChunks(s, e, (c, lo, hi) => {
      const code = this.pages.uniformState(c);
      const full = lo === 0 && hi === this.pages.pagesIn(c);
      if (code === THP || code === HUGE_ZERO) {
        if (full) {
          // zap_huge_pmd(): the PMD goes, and with it the deposited PTE table.
          this.pages.apply(c, 0, hi, T_ALL_NONE);
          this.#tables.freePteTable(c);
          return;
        }
        // A partial zap splits the PMD: a THP into PTEs that keep the folio, a huge zero PMD into zeropage PTEs.
        this.pages.apply(c, 0, n, code === THP ? T_ALL_FOLIO : T_ALL_ZERO);
        if (code === THP) this.#folioChunks.add(c);
      }
      this.pages.apply(c, lo, hi, T_ALL_NONE);
      this.#afterChunk(c);
      if (reclaimPt && full) this.#tables.freePteTable(c);
      this.#cmma.set(c, lo, hi, 'stable');
    });
    this.#settle(before);
  }

  /** The object punched a hole over its pages [objStart, objEnd): unmap what this mapping maps there. */
  _objectHolePunched(objStart: number, objEnd: number): void {
    const first = this.objectOffset / this.pageSize;
    const s = Math.max(objStart, first) - first;
    const e = Math.min(objEnd, first + this.pages.pageCount) - first;
    if (s >= e) return;
    const before = this.#snap();
    this.#noteRemovedWhere(s, e, M_NONE_OR_CACHE, 'punch-hole');
    this.pages.applyRange(s, e, T_UNMAP_CACHE);
    this.#settle(before);
  }

  /** s390 before 4.14: enabling storage keys invalidates every zeropage PTE. */
  _zapZeropages(): number {
    return this.#rewriteZeropages(T_ZAP_ZERO, 'storage-keys');
  }

  /** s390 6.10+: enabling storage keys or PV replaces every zeropage with a zeroed private page. */
  _unshareZeropages(): number {
    return this.#rewriteZeropages(T_COW_ZERO, undefined);
  }

  /** Reclaim drops CMMA-unused private pages (try_to_unmap_one()); returns how many. */
  _reclaimCmmaUnused(): number {
    if (this.#cmma.empty) return 0;
    const keepArmed = !this.process.host.kernel.cmmaDiscardWhileUffdArmed;
    const before = this.#snap();
    let dropped = 0;
    const ppc = this.pages.pagesPerChunk;
    for (const [c, flags] of this.#cmma.chunks()) {
      const base = c * ppc;
      const n = this.pages.pagesIn(c);
      let i = 0;
      while (i < n) {
        const state = this.pages.stateAt(base + i);
        const droppable = flags[i] === 1 && (state === ANON || state === FOLIO) && !(keepArmed && this.#regs.at(base + i));
        if (!droppable) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < n && flags[j] === 1 && this.#droppableSame(base + j, keepArmed)) j++;
        this.#noteRemoved(base + i, base + j, 'cmma-discard');
        this.pages.apply(c, i, j, T_DROP_ANON);
        this.#cmma.set(c, i, j, 'stable');
        dropped += j - i;
        i = j;
      }
      this.#afterChunk(c);
    }
    this.#settle(before);
    return dropped;
  }

  /** The deferred-split shrinker splits partially mapped THPs and frees their unmapped parts. */
  _runDeferredSplit(): number {
    if (this.#folioChunks.size === 0) return 0;
    const before = this.#snap();
    const freed = this.#heldPages();
    for (const c of this.#folioChunks) this.pages.apply(c, 0, this.pages.pagesIn(c), T_FOLIO_SPLIT);
    this.#folioChunks.clear();
    this.#settle(before);
    return freed * this.pageSize;
  }

  /**
   * UFFDIO_COPY / UFFDIO_ZEROPAGE over pages [s, e): fills missing pages and stops at the first
   * page already present (EEXIST). Private mappings get private pages (the zeropage for
   * UFFDIO_ZEROPAGE unless the mm forbids it on 6.10+); shared mappings fill the object.
   */
  _fill(s: number, e: number, how: 'copy' | 'zeropage', tag: number, f: MutableFaultCounts): { filled: number; errno?: Errno } {
    const before = this.#snap();
    let filled = 0;
    let errno = undefined as Errno | undefined;
    const obj = this.object;
    const zeropageOk = this.process.zeropageAllowed || !this.process.host.kernel.uffdZeropageHonoursForbid;
    this.pages.forChunks(s, e, (c, lo, hi) => {
      if (this.shared && obj) {
        const oc = this.#objChunk + c;
        const present = obj.pages.firstIn(oc, lo, hi, PRESENT);
        const end = present >= 0 ? present : hi;
        if (end > lo) {
          const got = obj.allocate(oc, lo, end);
          if (got.failedAt >= 0) {
            errno = 'ENOMEM';
            return false;
          }
          if (how === 'copy') obj.write(oc, lo, end, tag);
          this.#tables.touch(c);
          if (this.backing !== 'hugetlb') this.#tables.addPteTable(c);
          this.pages.apply(c, lo, end, T_MAP_CACHE);
          filled += end - lo;
        }
        if (present >= 0) {
          errno = 'EEXIST';
          return false;
        }
        return true;
      }
      const present = this.pages.firstNotIn(c, lo, hi, NONE);
      const end = present >= 0 ? present : hi;
      if (end > lo) {
        if (this.backing === 'hugetlb') {
          if (!this.#takeHugetlbPage()) {
            errno = 'ENOMEM';
            return false;
          }
          this.pages.apply(c, lo, end, T_ALL_HUGETLB, how === 'copy' ? tag : 0);
          f.hugetlb++;
        } else {
          this.#tables.addPteTable(c);
          if (how === 'copy') this.pages.apply(c, lo, end, T_ALL_ANON, tag);
          else this.pages.apply(c, lo, end, zeropageOk ? T_ALL_ZERO : T_ALL_ANON, 0);
        }
        this.#tables.touch(c);
        filled += end - lo;
      }
      if (present >= 0) {
        errno = 'EEXIST';
        return false;
      }
      return true;
    });
    this.#settle(before);
    return errno ? { filled, errno } : { filled };
  }

  /** Whether an access to `page` would raise a missing fault (nothing there for userfaultfd to find). */
  _isMissing(page: number): boolean {
    if (this.shared && this.object) return this.object.pages.stateAt(this.#objPage(page)) === ABSENT;
    return this.pages.stateAt(page) === NONE;
  }

  /** Registers [s, e) with `uffd`; false if another userfaultfd holds part of it (EBUSY). */
  _register(uffd: Userfaultfd, s: number, e: number): boolean {
    return this.#regs.add(uffd, s, e);
  }

  _unregister(uffd: Userfaultfd, s = 0, e = this.pages.pageCount): void {
    this.#regs.remove(uffd, s, e);
  }

  /** Registered ranges, in pages. */
  _registrations(): readonly Registration[] {
    return this.#regs.list;
  }

  /**
   * mlock_fixup, then populate_vma_page_range unless MCL_ONFAULT: every page is faulted in, for
   * writing on a private writable mapping (GUP's FOLL_WRITE breaks COW there), by reading
   * otherwise. A hugetlb pool that runs dry ends the populate early, which mm_populate ignores.
   */
  _lock(populate: boolean): Cost {
    this.#checkMapped();
    this.#locked = true;
    if (!populate) return this.process._end(this.process._begin(), 'mlock', this, 0, this.size, newFaultCounts());
    const { delta, faults } = this.#access(!this.shared && !this.readonly ? 'populate-write' : 'populate-read', 0, this.size, undefined, 'mlock');
    return { delta, faults };
  }

  /**
   * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM), as VFIO type1's VFIO_IOMMU_MAP_DMA pins a range
   * for device DMA: every page is faulted in (for writing, so no zeropage or shared page cache
   * page is pinned in place of a private page) and stays until it is unpinned.
   */
  _pin(offset: number, length: number, by: string): AccessOutcome {
    return this.#access(!this.readonly ? 'populate-write' : 'populate-read', offset, length, undefined, by);
  }

  /** munmap(): everything goes, page tables included. */
  _unmap(): void {
    if (!this.#mapped) return;
    const before = this.#snap();
    this.pages.applyRange(0, this.pages.pageCount, T_ALL_NONE);
    this.#folioChunks.clear();
    this.#settle(before);
    this.#tables.release();
    for (const r of this.#regs.clear()) r.uffd._forgetMapping(this);
    this.#cmma.clear();
    if (this.reservedLeft > 0) this.process.host._pool(this.pageSize).unreserve(this.reservedLeft);
    this.reservedLeft = 0;
    this.object?._detach(this);
    this.#mapped = false;
  }

  /** Page index of byte `offset` (checked), for the process and userfaultfd. */
  _pagesOf(offset: number, length: number, what: 'range' | 'discard' | 'uffd'): [number, number] {
    return this.#pageRange(offset, length, what);
  }

  // ---- private ------------------------------------------------------------------------------------------

  #access(mode: AccessMode, offset: number, length: number, tag: number | undefined, by: string | undefined): AccessOutcome {
    this.#checkMapped();
    const [s, e] = this.#pageRange(offset, length, 'access');
    const write = mode === 'write' || mode === 'populate-write';
    const f = newFaultCounts();
    const m = this.process._begin();
    if (write && this.readonly && e > s) {
      return { kind: 'sigsegv', offset: s * this.pageSize, reason: 'read-only', ...this.process._end(m, mode, this, offset, length, f) };
    }
    const before = this.#snap();
    let stop = undefined as Stop | undefined;
    const ppc = this.pages.pagesPerChunk;
    let reg: Registration | undefined;
    const step = (c: number, lo: number, hi: number): boolean => {
      let upTo = hi;
      if (reg) {
        const missing = this.#firstMissing(c, lo, hi);
        if (missing >= 0) upTo = missing;
      }
      const failed = upTo > lo ? this.#faultChunk(c, lo, upTo, write, tag, f) : -1;
      if (failed >= 0) {
        stop = { kind: 'sigbus', page: c * ppc + failed, reason: 'hugetlb-pool-empty' };
        return false;
      }
      if (upTo < hi && reg) {
        this.#tablesForUserfault(c);
        f.userfault++;
        const raised = reg.uffd._raise(this, c * ppc + upTo, write, by ?? mode);
        stop = raised === 'sigbus' ? { kind: 'sigbus', page: c * ppc + upTo, reason: 'uffd-sigbus' } : { kind: 'blocked', page: c * ppc + upTo, fault: raised };
        return false;
      }
      return true;
    };
    if (this.#regs.empty) {
      this.pages.forChunks(s, e, step);
    } else {
      for (const seg of this.#regs.segments(s, e)) {
        reg = seg.reg;
        this.pages.forChunks(seg.start, seg.end, step);
        if (stop) break;
      }
    }
    this.#settle(before);
    const cost = this.process._end(m, mode, this, offset, length, f);
    if (!stop) return { kind: 'done', ...cost };
    const at = stop.page * this.pageSize;
    if (stop.kind === 'blocked') return { kind: 'blocked', offset: at, fault: stop.fault, ...cost };
    return { kind: 'sigbus', offset: at, reason: stop.reason, ...cost };
  }

  /** Faults pages [lo, hi) of chunk `c` in; returns the chunk-relative page where the hugetlb pool ran dry, or -1. */
  #faultChunk(c: number, lo: number, hi: number, write: boolean, tag: number | undefined, f: MutableFaultCounts): number {
    if (this.backing === 'hugetlb') return this.#faultHugetlb(c, lo, hi, write, tag, f);
    if (this.object) {
      this.#faultObject(c, lo, hi, write, tag, f, this.object);
      return -1;
    }
    this.#faultAnon(c, lo, hi, write, tag, f);
    return -1;
  }

  /** do_anonymous_page() / do_huge_pmd_anonymous_page() / do_wp_page() on private anonymous memory. */
  #faultAnon(c: number, lo: number, hi: number, write: boolean, tag: number | undefined, f: MutableFaultCounts): void {
    const pages = this.pages;
    const n = pages.pagesIn(c);
    const kernel = this.process.host.kernel;
    let code = pages.uniformState(c);
    if (code === NONE && !this.#tables.hasPteTable(c) && this.#thpEligible(c)) {
      // pmd_none in a THP-able VMA: the whole PMD is populated at once; a PTE table is deposited.
      this.#tables.touch(c);
      this.#tables.addPteTable(c);
      if (!write && this.process.zeropageAllowed && kernel.thp.useZeroPage) {
        pages.apply(c, 0, n, T_ALL_HUGE_ZERO);
        f.hugeZeropage++;
      } else {
        pages.apply(c, 0, n, T_ALL_THP, 0);
        if (write && tag !== undefined) pages.apply(c, lo, hi, T_KEEP, tag);
        f.thp++;
      }
      return;
    }
    if (code === HUGE_ZERO) {
      if (!write) return;
      if (kernel.hugeZeroWriteAllocatesThp) {
        pages.apply(c, 0, n, T_ALL_THP, 0);
        if (tag !== undefined) pages.apply(c, lo, hi, T_KEEP, tag);
        f.thp++;
        return;
      }
      // Older kernels split the huge zero PMD into zeropage PTEs (using the deposited table), then COW.
      pages.apply(c, 0, n, T_ALL_ZERO);
      code = ZERO;
    }
    if (code === THP || code === ANON || code === FOLIO) {
      if (write && tag !== undefined) pages.apply(c, lo, hi, T_KEEP, tag);
      return;
    }
    this.#tables.touch(c);
    this.#tables.addPteTable(c);
    const none = pages.countIn(c, lo, hi, NONE);
    if (!write) {
      if (none === 0) return;
      if (this.process.zeropageAllowed) {
        pages.apply(c, lo, hi, T_READ_ZERO);
        f.zeropage += none;
      } else {
        pages.apply(c, lo, hi, T_READ_ANON);
        f.anon += none;
      }
      return;
    }
    const zero = pages.countIn(c, lo, hi, ZERO);
    pages.apply(c, lo, hi, T_WRITE_ANON, tag);
    f.anon += none;
    f.cow += zero;
    this.#afterChunk(c);
  }

  /** Faults on a shmem or regular-file mapping (base pages), shared or private. */
  #faultObject(c: number, lo: number, hi: number, write: boolean, tag: number | undefined, f: MutableFaultCounts, obj: MemoryObject): void {
    const pages = this.pages;
    const oc = this.#objChunk + c;
    this.#tables.touch(c);
    this.#tables.addPteTable(c);
    if (this.shared) {
      const got = obj.allocate(oc, lo, hi);
      const none = pages.countIn(c, lo, hi, NONE);
      pages.apply(c, lo, hi, T_MAP_CACHE);
      f.cacheAlloc += got.allocated;
      f.cache += none - got.allocated;
      if (write && tag !== undefined) obj.write(oc, lo, hi, tag);
      return;
    }
    if (!write) {
      // Reading a private file mapping maps the page cache (read-only); zeropage/private pages stay.
      for (const [a, b] of pages.runsIn(c, lo, hi, M_NONE)) {
        const got = obj.allocate(oc, a, b);
        pages.apply(c, a, b, T_MAP_CACHE);
        f.cacheAlloc += got.allocated;
        f.cache += b - a - got.allocated;
      }
      return;
    }
    // do_cow_fault(): the page cache is read (populated if it was a hole), then copied.
    for (const [a, b] of pages.runsIn(c, lo, hi, M_NONE_OR_CACHE)) {
      const got = obj.allocate(oc, a, b);
      f.cacheAlloc += got.allocated;
      f.cow += b - a;
      pages.apply(c, a, b, T_COW_CACHE, tag);
      if (tag === undefined) pages.copyTagsFrom(c, a, b, obj.pages, oc);
    }
    const zero = pages.countIn(c, lo, hi, ZERO);
    f.cow += zero;
    pages.apply(c, lo, hi, T_COW_ZERO, tag);
  }

  /** hugetlb faults: shared ones fill the file, private ones take private huge pages (COW from the file if it has the page). */
  #faultHugetlb(c: number, lo: number, hi: number, write: boolean, tag: number | undefined, f: MutableFaultCounts): number {
    const pages = this.pages;
    const obj = this.object;
    const state = pages.uniformState(c);
    if (this.shared && obj) {
      const oc = this.#objChunk + c;
      const got = obj.allocate(oc, lo, hi);
      if (got.failedAt >= 0) return got.failedAt;
      if (state === NONE) {
        this.#tables.touch(c);
        pages.apply(c, lo, hi, T_MAP_CACHE);
        f.cacheAlloc += got.allocated;
        f.cache += 1 - got.allocated;
      }
      if (write && tag !== undefined) obj.write(oc, lo, hi, tag);
      return -1;
    }
    if (state === HUGETLB_ANON) {
      if (write && tag !== undefined) pages.apply(c, lo, hi, T_KEEP, tag);
      return -1;
    }
    const oc = this.#objChunk + c;
    const inFile = obj !== undefined && obj.pages.stateAt(oc * obj.pages.pagesPerChunk) === PRESENT;
    if (!write && (state === CACHE || inFile)) {
      if (state === NONE) {
        this.#tables.touch(c);
        pages.apply(c, lo, hi, T_MAP_CACHE);
        f.cache++;
      }
      return -1;
    }
    // A private huge page: new, or a copy of the file's page (hugetlb_wp()).
    if (!this.#takeHugetlbPage()) return lo;
    this.#tables.touch(c);
    pages.apply(c, 0, pages.pagesIn(c), T_ALL_HUGETLB, 0);
    if (state === CACHE || inFile) {
      if (obj) pages.copyTagsFrom(c, 0, pages.pagesIn(c), obj.pages, oc);
      f.cow++;
    } else {
      f.hugetlb++;
    }
    if (write && tag !== undefined) pages.apply(c, lo, hi, T_KEEP, tag);
    return -1;
  }

  /** First chunk-relative page in [lo, hi) whose access would raise a userfaultfd missing fault, or -1. */
  #firstMissing(c: number, lo: number, hi: number): number {
    const pages = this.pages;
    const obj = this.object;
    if (!obj) return pages.firstIn(c, lo, hi, NONE);
    const oc = this.#objChunk + c;
    if (this.shared) return obj.pages.firstIn(oc, lo, hi, ABSENT);
    const state = pages.uniformState(c);
    if (state >= 0) return state === NONE ? obj.pages.firstIn(oc, lo, hi, ABSENT) : -1;
    const base = c * pages.pagesPerChunk;
    const obase = oc * obj.pages.pagesPerChunk;
    for (let i = lo; i < hi; i++) {
      if (pages.stateAt(base + i) === NONE && obj.pages.stateAt(obase + i) === ABSENT) return i;
    }
    return -1;
  }

  /**
   * Page tables a userfault leaves behind: __handle_mm_fault() allocates the PUD and PMD tables
   * before any handler runs; do_anonymous_page() also allocates the PTE table before it hands the
   * fault to userfaultfd, the THP path and the page-cache paths do not.
   */
  #tablesForUserfault(c: number): void {
    this.#tables.touch(c);
    if (this.object || this.backing === 'hugetlb') return;
    if (!this.#tables.hasPteTable(c) && this.pages.uniformState(c) === NONE && this.#thpEligible(c)) return;
    this.#tables.addPteTable(c);
  }

  /** THPs can back this mapping at all (kind, process, THP mode and the mapping's advice). */
  #thpPossible(): boolean {
    if (this.object || this.shared || this.backing !== 'anon') return false;
    if (!this.process.thpAllowed) return false;
    const mode = this.process.host.kernel.thp.enabled;
    const advice = this.flags.thp;
    return !(mode === 'never' || advice === 'nohugepage' || (mode === 'madvise' && advice !== 'hugepage'));
  }

  #thpEligible(c: number): boolean {
    if (!this.#thpPossible()) return false;
    const ppc = this.pages.pagesPerChunk;
    if (this.pages.pagesIn(c) !== ppc) return false;
    // A registration boundary inside the PMD splits the VMA there: the PMD no longer fits.
    return !this.#regs.splits(c * ppc, (c + 1) * ppc);
  }

  #rewriteZeropages(table: Uint8Array, cause: RemovalCause | undefined): number {
    if (this.pages.counts[ZERO] === 0) return 0;
    const before = this.#snap();
    const count = this.pages.counts[ZERO]!;
    const ppc = this.pages.pagesPerChunk;
    for (const c of this.pages.chunksWith(ZERO)) {
      if (cause) {
        for (const [a, b] of this.pages.runsIn(c, 0, this.pages.pagesIn(c), M_ZERO)) this.#noteRemoved(c * ppc + a, c * ppc + b, cause);
      }
      this.pages.apply(c, 0, this.pages.pagesIn(c), table);
    }
    this.#settle(before);
    return count;
  }

  #droppableSame(page: number, keepArmed: boolean): boolean {
    const state = this.pages.stateAt(page);
    return (state === ANON || state === FOLIO) && !(keepArmed && this.#regs.at(page));
  }

  #contentOf(page: number): number {
    const state = this.pages.stateAt(page);
    const obj = this.object;
    if (obj && (this.shared || state === NONE || state === CACHE)) return obj.pages.tagAt(this.#objPage(page));
    return this.pages.tagAt(page);
  }

  #objPage(page: number): number {
    return page + this.objectOffset / this.pageSize;
  }

  #takeHugetlbPage(): boolean {
    const pool = this.process.host._pool(this.pageSize);
    return pool.take(this);
  }

  #notifyRemove(s: number, e: number): void {
    for (const r of this.#regs.overlapping(s, e)) r.uffd._removeEvent(this, r.start, r.end);
  }

  #noteRemoved(s: number, e: number, cause: RemovalCause): void {
    for (const r of this.#regs.overlapping(s, e)) r.uffd._removed(this, r.start, r.end, cause);
  }

  #noteRemovedWhere(s: number, e: number, which: Uint8Array, cause: RemovalCause): void {
    if (this.#regs.empty) return;
    const ppc = this.pages.pagesPerChunk;
    this.pages.forChunks(s, e, (c, lo, hi) => {
      for (const [a, b] of this.pages.runsIn(c, lo, hi, which)) this.#noteRemoved(c * ppc + a, c * ppc + b, cause);
    });
  }

  #afterChunk(c: number): void {
    if (this.#folioChunks.has(c) && this.pages.countIn(c, 0, this.pages.pagesIn(c), FOLIO) === 0) this.#folioChunks.delete(c);
  }

  #heldPages(): number {
    return this.#folioChunks.size * this.pages.pagesPerChunk - this.pages.counts[FOLIO]!;
  }

  /** Page counts per state and the held THP pages, before a change (#settle reports the difference). */
  #snap(): number[] {
    const c = this.pages.counts;
    return [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, this.#heldPages()];
  }

  #settle(before: readonly number[]): void {
    const c = this.pages.counts;
    const p = this.pageSize;
    const anon = (c[ANON]! - before[ANON]! + c[FOLIO]! - before[FOLIO]! + c[THP]! - before[THP]!) * p;
    const cache = (c[CACHE]! - before[CACHE]!) * p;
    const hugetlbPrivate = c[HUGETLB_ANON]! - before[HUGETLB_ANON]!;
    const thp = (c[THP]! - before[THP]!) * p;
    const held = (this.#heldPages() - before[STATE_COUNT]!) * p;
    if (hugetlbPrivate < 0) this.process.host._pool(this.pageSize).give(-hugetlbPrivate);
    this.process._noteMapping(this.backing, anon, cache, hugetlbPrivate * p, thp, held);
  }

  #pageRange(offset: number, length: number, what: 'range' | 'offset' | 'access' | 'discard' | 'uffd'): [number, number] {
    const base = this.process.host.arch.basePageSize;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.size ||
      (what === 'offset' && offset >= this.size)
    ) {
      throw hostErrors.error('host.out-of-range', { offset, length, size: this.size, mapping: this.name });
    }
    // Discards and userfaultfd ioctls need the mapping's page size; accesses only base pages.
    const align = what === 'discard' || what === 'uffd' ? this.pageSize : base;
    if (what !== 'offset' && offset % align !== 0) {
      throw hostErrors.error('host.misaligned', { what: 'offset', value: offset, alignment: align, mapping: this.name });
    }
    if (what !== 'offset' && length % align !== 0) {
      throw hostErrors.error('host.misaligned', { what: 'length', value: length, alignment: align, mapping: this.name });
    }
    const s = Math.floor(offset / this.pageSize);
    const e = what === 'offset' ? s + 1 : Math.ceil((offset + length) / this.pageSize);
    return [s, e];
  }

  #checkMapped(): void {
    if (!this.#mapped) throw hostErrors.error('host.unmapped', { mapping: this.name });
  }

  #errorOutcome(op: string, offset: number, length: number, errno: Errno): Cost & { kind: 'error'; errno: Errno } {
    const m = this.process._begin();
    return { kind: 'error', errno, ...this.process._end(m, op, this, offset, length, newFaultCounts()) };
  }

  #doneOutcome(m: ReturnType<HostProcess['_begin']>, op: string, offset: number, length: number, f: FaultCounts): Cost & { kind: 'done' } {
    return { kind: 'done', ...this.process._end(m, op, this, offset, length, f) };
  }
}

function addDeltas(a: MemoryDelta, b: MemoryDelta): MemoryDelta {
  return {
    rssAnon: a.rssAnon + b.rssAnon,
    rssFile: a.rssFile + b.rssFile,
    rssShmem: a.rssShmem + b.rssShmem,
    hugetlb: a.hugetlb + b.hugetlb,
    vmPte: a.vmPte + b.vmPte,
    pageTables: a.pageTables + b.pageTables,
    host: a.host + b.host,
  };
}

function addFaults(a: FaultCounts, b: FaultCounts): FaultCounts {
  const out = newFaultCounts();
  for (const k of Object.keys(out) as (keyof FaultCounts)[]) out[k] = a[k] + b[k];
  return out;
}

/** A zero delta, for outcomes that changed nothing. */
export const NO_DELTA: MemoryDelta = Object.freeze({
  rssAnon: 0,
  rssFile: 0,
  rssShmem: 0,
  hugetlb: 0,
  vmPte: 0,
  pageTables: 0,
  host: 0,
});
