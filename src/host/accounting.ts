/**
 * What host operations cost, as data. Every operation answers with a MemoryDelta (bytes, signed)
 * and the page faults it took; processes answer /proc/PID/status-style questions from running
 * counters, never by walking their mappings.
 */
import type { Errno } from './errno.js';

/** Bytes gained (positive) or given back (negative) by one operation. */
export interface MemoryDelta {
  /** RssAnon of the calling process (private anonymous pages, THPs included). */
  readonly rssAnon: number;
  /** RssFile of the calling process (regular-file page cache mapped). */
  readonly rssFile: number;
  /** RssShmem of the calling process (shmem, memfd, MAP_SHARED|MAP_ANONYMOUS pages mapped). */
  readonly rssShmem: number;
  /** HugetlbPages of the calling process (hugetlb pages mapped; not part of VmRSS). */
  readonly hugetlb: number;
  /** VmPTE of the calling process (`mm->pgtables_bytes`). */
  readonly vmPte: number;
  /** Memory the calling process's page tables occupy, PGSTEs included. */
  readonly pageTables: number;
  /** Everything the host spends: all processes' anon memory, page cache, hugetlb pages in use, page tables. */
  readonly host: number;
}

/** Page faults (and fault-like events) one operation took, by how the kernel resolved them. */
export interface FaultCounts {
  /** 4 KiB shared-zeropage PTEs mapped by read faults. */
  readonly zeropage: number;
  /** Huge zero PMDs mapped by read faults. */
  readonly hugeZeropage: number;
  /** Zero-filled private pages allocated on a missing fault (read faults where the zeropage is forbidden included). */
  readonly anon: number;
  /** Transparent huge pages allocated. */
  readonly thp: number;
  /** Copy-on-write or unshare copies (zeropage or page cache replaced by a private page). */
  readonly cow: number;
  /** Existing page-cache pages mapped (minor faults). */
  readonly cache: number;
  /** Page-cache pages allocated (shmem, file and shared hugetlb). */
  readonly cacheAlloc: number;
  /** Private hugetlb pages allocated. */
  readonly hugetlb: number;
  /** Faults handed to userfaultfd. */
  readonly userfault: number;
}

export type MutableFaultCounts = { -readonly [K in keyof FaultCounts]: FaultCounts[K] };

/** A fresh counter set (a class, so V8 builds it without copying properties). */
class FaultCounter implements MutableFaultCounts {
  zeropage = 0;
  hugeZeropage = 0;
  anon = 0;
  thp = 0;
  cow = 0;
  cache = 0;
  cacheAlloc = 0;
  hugetlb = 0;
  userfault = 0;
}

export const newFaultCounts = (): MutableFaultCounts => new FaultCounter();

export const NO_FAULTS: FaultCounts = Object.freeze(new FaultCounter());

/** What every outcome carries. */
export interface Cost {
  readonly delta: MemoryDelta;
  readonly faults: FaultCounts;
}

/** A syscall-like operation that either worked or returned an errno (and then changed nothing it reports). */
export type SyscallOutcome = (Cost & { readonly kind: 'done' }) | (Cost & { readonly kind: 'error'; readonly errno: Errno });

/** /proc/PID/status memory lines of one process, in bytes (the kernel prints kB). */
export interface ProcStatus {
  /** VmSize: all mappings. */
  readonly vmSize: number;
  /** VmLck: the sizes of the locked mappings, populated or not. */
  readonly vmLck: number;
  readonly vmRss: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  readonly vmPte: number;
  readonly hugetlbPages: number;
  /** AnonHugePages from /proc/PID/smaps_rollup: the part of RssAnon mapped by PMD THPs. */
  readonly anonHugePages: number;
  /** Page-table memory including PGSTEs (not a /proc/PID/status line; PageTables in meminfo terms). */
  readonly pageTableBytes: number;
  /** Unmapped parts of partially unmapped THPs, still allocated until the deferred split runs. */
  readonly thpDeferredSplitBytes: number;
}

/** Host-wide memory use, /proc/meminfo style, in bytes. */
export interface HostMeminfo {
  /** AnonPages plus memory held by THPs awaiting their deferred split. */
  readonly anon: number;
  readonly anonHugePages: number;
  /** Shmem: shmem/memfd/tmpfs page cache, mapped or not. */
  readonly shmem: number;
  /** Regular-file page cache the model populated. */
  readonly filePages: number;
  /** hugetlb pages in use (HugePages_Total - HugePages_Free, times the page size, all sizes). */
  readonly hugetlbUsed: number;
  /** hugetlb pages reserved but not yet faulted in (HugePages_Rsvd, all sizes). */
  readonly hugetlbReserved: number;
  /** PageTables: every process's page tables, PGSTEs included. */
  readonly pageTables: number;
  /** anon + shmem + filePages + hugetlbUsed + pageTables. */
  readonly total: number;
}

/** Indices into a process's counter array. */
export const Ctr = Object.freeze({
  RssAnon: 0,
  RssFile: 1,
  RssShmem: 2,
  Hugetlb: 3,
  VmPte: 4,
  PageTables: 5,
  AnonHuge: 6,
  FolioHeld: 7,
  Count: 8,
} as const);

export function formatKb(bytes: number): string {
  return `${String(Math.floor(bytes / 1024)).padStart(8)} kB`;
}
