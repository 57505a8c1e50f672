/**
 * Memory objects: what a shared or file-backed mapping maps. A shmem object stands for a memfd,
 * a tmpfs file or the hidden file behind MAP_SHARED|MAP_ANONYMOUS; a `file` object for a file on
 * a disk filesystem; a hugetlbfs object for a hugetlbfs file or a hugetlb memfd. The object owns
 * its page cache — pages stay allocated when mappings drop their PTEs (MADV_DONTNEED) and go
 * only when a hole is punched (fallocate PUNCH_HOLE, or MADV_REMOVE which calls it).
 */
import { PageStore, fillWith, transition } from './chunk.js';
import { hostErrors } from './errors.js';
import type { HugetlbPool } from './hugetlb-pool.js';
import type { Mapping } from './mapping.js';

export type ObjectKind = 'shmem' | 'file' | 'hugetlbfs';

/** Page-cache page states. */
export const ABSENT = 0;
export const PRESENT = 1;

const ALLOCATE = transition(2, [[ABSENT, PRESENT]]);
const FREE = fillWith(ABSENT);
const KEEP = transition(2, []);

/** Where an object's page-cache totals go (the host). */
export interface ObjectOwner {
  _noteCache(kind: ObjectKind, bytes: number): void;
}

export interface MemoryObjectInit {
  readonly id: number;
  readonly name: string;
  readonly kind: ObjectKind;
  readonly size: number;
  readonly pageSize: number;
  readonly chunkSize: number;
  /** False for the file behind MAP_SHARED|MAP_ANONYMOUS: nobody can fallocate() it. */
  readonly hasFd: boolean;
  readonly pool: HugetlbPool | undefined;
  readonly owner: ObjectOwner;
}

export class MemoryObject {
  readonly id: number;
  readonly name: string;
  readonly kind: ObjectKind;
  readonly size: number;
  readonly pageSize: number;
  readonly chunkSize: number;
  readonly hasFd: boolean;
  /** The page cache: one PRESENT/ABSENT state and a content tag per page. */
  readonly pages: PageStore;
  /** hugetlb reservations the file holds (shared mappings reserve in the file). */
  reservedLeft = 0;
  #reservedOnce = false;
  readonly #pool: HugetlbPool | undefined;
  readonly #owner: ObjectOwner;
  readonly #mappings = new Set<Mapping>();

  constructor(init: MemoryObjectInit) {
    this.id = init.id;
    this.name = init.name;
    this.kind = init.kind;
    this.size = init.size;
    this.pageSize = init.pageSize;
    this.chunkSize = init.chunkSize;
    this.hasFd = init.hasFd;
    this.#pool = init.pool;
    this.#owner = init.owner;
    this.pages = new PageStore(init.size / init.pageSize, init.chunkSize / init.pageSize, 2, [PRESENT]);
  }

  /** Bytes of page cache the object holds. */
  get residentBytes(): number {
    return this.pages.counts[PRESENT]! * this.pageSize;
  }

  get mappings(): ReadonlySet<Mapping> {
    return this.#mappings;
  }

  /** The hugetlb pool this object allocates from (hugetlbfs objects only). */
  get pool(): HugetlbPool | undefined {
    return this.#pool;
  }

  /**
   * Allocates the absent pages in [lo, hi) of chunk `c` (zero-filled) and returns how many it
   * allocated. hugetlb objects take each page from the pool and stop at the first page the pool
   * cannot give, returning the chunk-relative page that failed as `failedAt`.
   */
  allocate(c: number, lo: number, hi: number): { allocated: number; failedAt: number } {
    const pages = this.pages;
    const absent = pages.countIn(c, lo, hi, ABSENT);
    if (absent === 0) return { allocated: 0, failedAt: -1 };
    if (this.#pool) {
      // hugetlbfs chunks hold exactly one page.
      if (!this.#pool.take(this)) return { allocated: 0, failedAt: lo };
    }
    const before = pages.counts[PRESENT]!;
    pages.apply(c, lo, hi, ALLOCATE);
    this.#settle(before);
    return { allocated: absent, failedAt: -1 };
  }

  /** Writes content `tag` into present pages [lo, hi) of chunk `c`. */
  write(c: number, lo: number, hi: number, tag: number): void {
    this.pages.apply(c, lo, hi, KEEP, tag);
  }

  /**
   * fallocate(PUNCH_HOLE|KEEP_SIZE) over object pages [startPage, endPage): drops the page cache
   * and unmaps it from every mapping (private copies made by COW stay, as unmap_mapping_range()
   * with even_cows = 0 leaves them).
   */
  punchHole(startPage: number, endPage: number): { freedPages: number } {
    if (startPage < 0 || endPage > this.pages.pageCount || startPage > endPage) {
      throw hostErrors.error('host.object-range', {
        offset: startPage * this.pageSize,
        length: (endPage - startPage) * this.pageSize,
        size: this.size,
        object: this.name,
      });
    }
    for (const m of this.#mappings) m._objectHolePunched(startPage, endPage);
    const before = this.pages.counts[PRESENT]!;
    const absentBefore = this.pages.countRange(startPage, endPage, new Float64Array(2))[ABSENT]!;
    this.pages.applyRange(startPage, endPage, FREE);
    const freed = before - this.pages.counts[PRESENT]!;
    if (this.#pool && this.reservedLeft > 0) {
      const released = Math.min(this.reservedLeft, absentBefore);
      this.reservedLeft -= released;
      this.#pool.unreserve(released);
    }
    this.#settle(before);
    return { freedPages: freed };
  }

  /** Reserves hugetlb pages for the whole file once (the first shared mapping without MAP_NORESERVE). */
  reserveForSharedMapping(): boolean {
    if (!this.#pool || this.#reservedOnce) return true;
    const need = this.pages.counts[ABSENT]!;
    if (!this.#pool.reserve(need)) return false;
    this.reservedLeft = need;
    this.#reservedOnce = true;
    return true;
  }

  _attach(m: Mapping): void {
    this.#mappings.add(m);
  }

  _detach(m: Mapping): void {
    this.#mappings.delete(m);
  }

  #settle(presentBefore: number): void {
    const diff = this.pages.counts[PRESENT]! - presentBefore;
    if (diff === 0) return;
    if (this.#pool && diff < 0) this.#pool.give(-diff);
    this.#owner._noteCache(this.kind, diff * this.pageSize);
  }
}
