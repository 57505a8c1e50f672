/**
 * Page-table cost of one process, as `mm->pgtables_bytes` (VmPTE) counts it and as memory.
 *
 * VmPTE grows by PTRS_PER_PTE * sizeof(pte_t) per PTE table (mm_inc_nr_ptes), by a PMD table's
 * size per PMD table (mm_inc_nr_pmds) and a PUD table's per PUD table (mm_inc_nr_puds); the PGD
 * is not counted. PTE tables come and go with the chunks (mappings track them); PMD and PUD
 * tables are allocated on the first fault below them and freed only when the mapping goes
 * (free_pgtables at munmap/exit), so they are reference-counted here by address region.
 * A KVM process on s390x allocates a PGSTE half with every PTE table: memory, not VmPTE.
 */
import type { ArchProfile } from './arch.js';

/** Receives page-table byte deltas (the process's counters). */
export interface PageTableSink {
  _notePageTables(vmPteBytes: number, memoryBytes: number): void;
}

export class PageTableAccount {
  readonly #arch: ArchProfile;
  readonly #pteMemory: number;
  readonly #sink: PageTableSink;
  readonly #pmdRefs = new Map<number, number>();
  readonly #pudRefs = new Map<number, number>();
  #pteTables = 0;

  constructor(arch: ArchProfile, pgste: boolean, sink: PageTableSink) {
    this.#arch = arch;
    this.#pteMemory = arch.pte.tableBytes + (pgste ? arch.pgsteBytesPerPteTable : 0);
    this.#sink = sink;
  }

  get pteTables(): number {
    return this.#pteTables;
  }

  get pmdTables(): number {
    return this.#pmdRefs.size;
  }

  get pudTables(): number {
    return this.#pudRefs.size;
  }

  /** Adds (or with a negative `n` frees) PTE tables. */
  addPteTables(n: number): void {
    if (n === 0) return;
    this.#pteTables += n;
    this.#sink._notePageTables(n * this.#arch.pte.tableBytes, n * this.#pteMemory);
  }

  /** A mapping started using the PMD table that maps address region `index` (address / pmd.covers). */
  refPmdTable(index: number): void {
    if (this.#ref(this.#pmdRefs, index)) {
      this.#sink._notePageTables(this.#arch.pmd.tableBytes, this.#arch.pmd.tableBytes);
      this.refPudTable(Math.floor((index * this.#arch.pmd.covers) / this.#arch.pud.covers));
    }
  }

  unrefPmdTable(index: number): void {
    if (this.#unref(this.#pmdRefs, index)) {
      this.#sink._notePageTables(-this.#arch.pmd.tableBytes, -this.#arch.pmd.tableBytes);
      this.unrefPudTable(Math.floor((index * this.#arch.pmd.covers) / this.#arch.pud.covers));
    }
  }

  /** A mapping (or a PMD table) started using the PUD table that maps region `index` (address / pud.covers). */
  refPudTable(index: number): void {
    if (this.#ref(this.#pudRefs, index)) {
      this.#sink._notePageTables(this.#arch.pud.tableBytes, this.#arch.pud.tableBytes);
    }
  }

  unrefPudTable(index: number): void {
    if (this.#unref(this.#pudRefs, index)) {
      this.#sink._notePageTables(-this.#arch.pud.tableBytes, -this.#arch.pud.tableBytes);
    }
  }

  /** True when the table was not in use before. */
  #ref(refs: Map<number, number>, index: number): boolean {
    const n = refs.get(index) ?? 0;
    refs.set(index, n + 1);
    return n === 0;
  }

  /** True when the table is no longer in use. */
  #unref(refs: Map<number, number>, index: number): boolean {
    const n = refs.get(index) ?? 0;
    if (n <= 1) {
      refs.delete(index);
      return n === 1;
    }
    refs.set(index, n - 1);
    return false;
  }
}

/** Where a mapping's leaf entries live: PTEs for base pages, PMD or PUD entries for hugetlb pages. */
export type LeafLevel = 'pte' | 'pmd' | 'pud';

/** Chunk flag: the chunk has a PTE table (also the table deposited under a THP or huge zero PMD). */
const F_PTE = 1;
/** Chunk flag: something was mapped in the chunk since mmap, so its PMD/PUD tables exist. */
const F_TOUCHED = 2;

/**
 * The page tables one mapping holds: a flag byte per chunk (PTE table present, ever touched)
 * and, per PMD- or PUD-table region it spans, how many of its chunks were touched. Regions are
 * referenced in the process's account on their first touched chunk and released at munmap.
 */
export class MappingTables {
  readonly #account: PageTableAccount;
  readonly #flags: Uint8Array;
  readonly #leaf: LeafLevel;
  readonly #firstChunk: number;
  readonly #regionChunks: number;
  readonly #firstRegion: number;
  readonly #regionUse: Uint32Array;
  #pteTables = 0;

  constructor(account: PageTableAccount, arch: ArchProfile, m: { start: number; chunkSize: number; chunkCount: number; leaf: LeafLevel }) {
    this.#account = account;
    this.#flags = new Uint8Array(m.chunkCount);
    this.#leaf = m.leaf;
    this.#firstChunk = m.start / m.chunkSize;
    this.#regionChunks = (m.leaf === 'pud' ? arch.pud.covers : arch.pmd.covers) / m.chunkSize;
    this.#firstRegion = Math.floor(this.#firstChunk / this.#regionChunks);
    const lastRegion = Math.floor((this.#firstChunk + m.chunkCount - 1) / this.#regionChunks);
    this.#regionUse = new Uint32Array(lastRegion - this.#firstRegion + 1);
  }

  get pteTables(): number {
    return this.#pteTables;
  }

  hasPteTable(c: number): boolean {
    return (this.#flags[c]! & F_PTE) !== 0;
  }

  /** Something gets mapped in chunk `c`: the PMD/PUD tables above it exist from now on. */
  touch(c: number): void {
    const flags = this.#flags[c]!;
    if (flags & F_TOUCHED) return;
    this.#flags[c] = flags | F_TOUCHED;
    const r = Math.floor((this.#firstChunk + c) / this.#regionChunks) - this.#firstRegion;
    if (this.#regionUse[r]!++ === 0) this.#refRegion(this.#firstRegion + r, true);
  }

  addPteTable(c: number): void {
    const flags = this.#flags[c]!;
    if (flags & F_PTE) return;
    this.#flags[c] = flags | F_PTE;
    this.#pteTables++;
    this.#account.addPteTables(1);
  }

  freePteTable(c: number): void {
    const flags = this.#flags[c]!;
    if (!(flags & F_PTE)) return;
    this.#flags[c] = flags & ~F_PTE;
    this.#pteTables--;
    this.#account.addPteTables(-1);
  }

  /** munmap(): free_pgtables() releases every table the mapping used. */
  release(): void {
    if (this.#pteTables > 0) this.#account.addPteTables(-this.#pteTables);
    this.#pteTables = 0;
    this.#flags.fill(0);
    this.#regionUse.forEach((n, r) => {
      if (n > 0) this.#refRegion(this.#firstRegion + r, false);
    });
    this.#regionUse.fill(0);
  }

  #refRegion(index: number, ref: boolean): void {
    if (this.#leaf === 'pud') {
      if (ref) this.#account.refPudTable(index);
      else this.#account.unrefPudTable(index);
    } else if (ref) this.#account.refPmdTable(index);
    else this.#account.unrefPmdTable(index);
  }
}
