/**
 * Host architecture profiles: page and page-table geometry of the two hosts hotmem models.
 *
 * Sizes come from the kernel headers (linux.md §3.3): x86-64 4-level paging has 512 eight-byte
 * entries per table at every level; s390x has 256-entry page tables (2 KiB) per 1 MiB segment
 * and 2048-entry CRST tables (16 KiB, CRST_ALLOC_ORDER 2) above them. A KVM process on s390x
 * pairs each page table with an equally sized PGSTE table.
 */
import type { Arch } from '../core/arch.js';
import { GiB, KiB, MiB, TiB } from '../core/units.js';
import { hostErrors } from './errors.js';

/** One level of the page-table tree that `mm->pgtables_bytes` (VmPTE) charges. */
export interface TableLevel {
  /** Bytes one table of this level occupies; also what VmPTE adds per table. */
  readonly tableBytes: number;
  /** Bytes of virtual address space one table of this level maps. */
  readonly covers: number;
}

export interface ArchProfile {
  readonly name: Arch;
  /** The base page size (PAGE_SIZE). */
  readonly basePageSize: number;
  /** What one PMD entry maps (2 MiB on x86_64, a 1 MiB segment on s390x); also the THP size. */
  readonly pmdSize: number;
  /** What one PUD entry maps (1 GiB on x86_64, a 2 GiB region-third entry on s390x). */
  readonly pudSize: number;
  /** Tables charged to VmPTE, leaf first: PTE table, PMD table, PUD table (the PGD is not charged). */
  readonly pte: TableLevel;
  readonly pmd: TableLevel;
  readonly pud: TableLevel;
  /**
   * Extra bytes per PTE table for a process with PGSTEs (s390x KVM). The kernel allocates them
   * with the page table, but `mm_inc_nr_ptes()` adds only PTRS_PER_PTE * sizeof(pte_t), so they
   * show in /proc/meminfo PageTables and in the memcg, not in VmPTE.
   */
  readonly pgsteBytesPerPteTable: number;
  /** hugetlb page sizes the architecture offers (a PMD-level and a PUD-level size). */
  readonly hugetlbPageSizes: readonly number[];
  /** Storage keys, PV and CMMA exist (s390x). */
  readonly hasStorageKeys: boolean;
  /** End of the user address space (TASK_SIZE): 47-bit on x86_64 4-level paging, 8 PiB on s390x. */
  readonly userAddressLimit: number;
}

export const X86_64: ArchProfile = Object.freeze({
  name: 'x86_64',
  basePageSize: 4 * KiB,
  pmdSize: 2 * MiB,
  pudSize: 1 * GiB,
  pte: Object.freeze({ tableBytes: 4 * KiB, covers: 2 * MiB }),
  pmd: Object.freeze({ tableBytes: 4 * KiB, covers: 1 * GiB }),
  pud: Object.freeze({ tableBytes: 4 * KiB, covers: 512 * GiB }),
  pgsteBytesPerPteTable: 0,
  hugetlbPageSizes: Object.freeze([2 * MiB, 1 * GiB]),
  hasStorageKeys: false,
  userAddressLimit: 2 ** 47 - 4 * KiB,
} as const);

export const S390X: ArchProfile = Object.freeze({
  name: 's390x',
  basePageSize: 4 * KiB,
  pmdSize: 1 * MiB,
  pudSize: 2 * GiB,
  pte: Object.freeze({ tableBytes: 2 * KiB, covers: 1 * MiB }),
  pmd: Object.freeze({ tableBytes: 16 * KiB, covers: 2 * GiB }),
  pud: Object.freeze({ tableBytes: 16 * KiB, covers: 4 * TiB }),
  pgsteBytesPerPteTable: 2 * KiB,
  hugetlbPageSizes: Object.freeze([1 * MiB, 2 * GiB]),
  hasStorageKeys: true,
  userAddressLimit: 2 ** 53,
} as const);

export const ARCH_PROFILES: Readonly<Record<Arch, ArchProfile>> = Object.freeze({
  x86_64: X86_64,
  s390x: S390X,
});

/** Looks an architecture up by its `uname -m` name. */
export function archProfile(name: string | ArchProfile): ArchProfile {
  if (typeof name !== 'string') return name;
  const arch = (ARCH_PROFILES as Record<string, ArchProfile | undefined>)[name];
  if (!arch) throw hostErrors.error('host.unknown-arch', { name, known: Object.keys(ARCH_PROFILES) });
  return arch;
}
