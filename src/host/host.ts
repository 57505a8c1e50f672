/**
 * The emulated host: an architecture, a kernel profile and a simulated clock, the processes
 * running on it, the files and memfds they share, and the hugetlb pools. Host facts are inputs:
 * nothing here reads the real machine.
 */
import type { Arch } from '../core/arch.js';
import { SimulatedClock } from '../core/clock.js';
import { HotmemError } from '../core/errors.js';
import type { HostMeminfo } from './accounting.js';
import { archProfile, type ArchProfile } from './arch.js';
import { hostErrors } from './errors.js';
import { NO_FILES, type HostFiles } from './files.js';
import { HugetlbPool } from './hugetlb-pool.js';
import { kernelProfile, type KernelOverrides, type KernelProfile } from './kernel.js';
import { MemoryObject, type ObjectKind, type ObjectOwner } from './memory-object.js';
import { HostProcess, type ProcessOptions } from './process.js';
import type { StuckFault } from './userfaultfd.js';
import type { Timeline } from './timeline.js';
import { checkPciDevices, type HostPciDevice } from './vfio.js';

/**
 * A freshly booted host of `arch`: no huge pages reserved (nr_hugepages=0 for every huge page
 * size) unless `hugetlbPages` reserves some. Options with sizes unlisted leave those unlimited.
 */
export function freshHost(opts: HostOptions & { readonly arch: Arch }): Host {
  const none = Object.fromEntries(archProfile(opts.arch).hugetlbPageSizes.map((size) => [size, 0]));
  return new Host({ ...opts, hugetlbPages: { ...none, ...opts.hugetlbPages } });
}

export interface HostOptions {
  /** `x86_64` (default) or `s390x`, or a profile. */
  readonly arch?: Arch | ArchProfile;
  /** A kernel name (`linux-6.1`, the default) or version, or a profile. */
  readonly kernel?: string | KernelProfile;
  /** Host settings that differ from the kernel's defaults (THP mode, use_zero_page, ...). */
  readonly kernelOverrides?: KernelOverrides;
  readonly clock?: SimulatedClock;
  /** hugetlb pool sizes in pages, by page size in bytes; sizes not listed are unlimited. */
  readonly hugetlbPages?: Readonly<Record<number, number>>;
  readonly timeline?: Timeline;
  /** The files processes read outside guest memory (see files.ts); none by default. */
  readonly files?: HostFiles;
  /** The host CPU a KVM guest's `-cpu host` or `max` copies; default DEFAULT_HOST_X86_CPU. */
  readonly x86Cpu?: HostX86Cpu;
  /** NUMA nodes with memory (node 0 to N-1, what mbind may bind to); default 1, or one per nodeCpus entry. */
  readonly numaNodes?: number;
  /**
   * The online CPUs of each NUMA node, node 0 first (what sched_setaffinity may pin a thread to);
   * default DEFAULT_CPUS_PER_NODE consecutive CPUs per node.
   */
  readonly nodeCpus?: readonly (readonly number[])[];
  /** The PCI devices VFIO may be asked for (vfio-pci's host= and sysfsdev=); none by default. */
  readonly pciDevices?: readonly HostPciDevice[];
}

/** A modelled host's CPUs per NUMA node when its options name none. */
export const DEFAULT_CPUS_PER_NODE = 2;

/** What an x86 host's CPU reports that a KVM guest's CPU model takes over. */
export interface HostX86Cpu {
  readonly vendor: 'amd' | 'intel';
  /** CPUID 0x80000008 EAX[7:0]: `address sizes: N bits physical` in /proc/cpuinfo. */
  readonly physAddrBits: number;
}

/** An AMD host with 48 physical address bits (the conformance machine's EPYC). */
export const DEFAULT_HOST_X86_CPU: HostX86Cpu = Object.freeze({ vendor: 'amd', physAddrBits: 48 });

/** What Host.reclaim() did. */
export interface ReclaimOutcome {
  /** CMMA-unused pages dropped by try_to_unmap_one() (s390x). */
  readonly cmmaDroppedPages: number;
  /** Bytes freed by splitting partially unmapped THPs. */
  readonly deferredSplitFreedBytes: number;
  /** Change of the host total. */
  readonly hostDelta: number;
}

export class Host implements ObjectOwner {
  readonly arch: ArchProfile;
  readonly kernel: KernelProfile;
  readonly clock: SimulatedClock;
  readonly timeline: Timeline | undefined;
  readonly files: HostFiles;
  readonly x86Cpu: HostX86Cpu;
  readonly numaNodes: number;
  readonly nodeCpus: readonly (readonly number[])[];
  readonly pciDevices: readonly HostPciDevice[];
  readonly #poolSizes: Readonly<Record<number, number>>;
  readonly #pools = new Map<number, HugetlbPool>();
  readonly #processes = new Set<HostProcess>();
  readonly #files = new Map<string, MemoryObject>();
  #nextPid = 1000;
  #nextId = 1;
  #anon = 0;
  #anonHuge = 0;
  #shmem = 0;
  #file = 0;
  #pageTables = 0;
  #hugetlbUsed = 0;

  constructor(opts: HostOptions = {}) {
    this.arch = archProfile(opts.arch ?? 'x86_64');
    const k = opts.kernel ?? 'linux-6.1';
    this.kernel = typeof k === 'string' ? kernelProfile(k, opts.kernelOverrides) : k;
    this.clock = opts.clock ?? new SimulatedClock();
    this.timeline = opts.timeline;
    this.files = opts.files ?? NO_FILES;
    this.x86Cpu = opts.x86Cpu ?? DEFAULT_HOST_X86_CPU;
    this.numaNodes = opts.numaNodes ?? opts.nodeCpus?.length ?? 1;
    if (!Number.isSafeInteger(this.numaNodes) || this.numaNodes < 1)
      throw new HotmemError('host.numa-nodes', `a host has at least one NUMA node (got ${this.numaNodes})`);
    this.nodeCpus =
      opts.nodeCpus ?? Array.from({ length: this.numaNodes }, (_, n) => Array.from({ length: DEFAULT_CPUS_PER_NODE }, (_, i) => n * DEFAULT_CPUS_PER_NODE + i));
    if (this.nodeCpus.length !== this.numaNodes)
      throw new HotmemError('host.node-cpus', `nodeCpus lists ${this.nodeCpus.length} NUMA nodes, the host has ${this.numaNodes}`);
    if (this.nodeCpus.some((cpus) => cpus.some((cpu) => !Number.isSafeInteger(cpu) || cpu < 0)))
      throw new HotmemError('host.node-cpus', 'nodeCpus holds a CPU number that is not a non-negative integer');
    this.pciDevices = checkPciDevices(opts.pciDevices ?? []);
    this.#poolSizes = opts.hugetlbPages ?? {};
    for (const size of Object.keys(this.#poolSizes)) this._hugetlbSize(Number(size));
  }

  get processes(): readonly HostProcess[] {
    return [...this.#processes];
  }

  /** Starts a process (a QEMU). */
  spawn(opts: ProcessOptions = {}): HostProcess {
    const p = new HostProcess(this, this.#nextPid++, opts);
    this.#processes.add(p);
    return p;
  }

  /** A new thread's id: Linux draws thread and process ids from one counter. */
  newThreadId(): number {
    return this.#nextPid++;
  }

  /** memfd_create(name, MFD_HUGETLB with `hugetlb` as the page size if given). */
  createMemfd(opts: { name?: string; size: number; hugetlb?: number | undefined }): MemoryObject {
    const pageSize = opts.hugetlb !== undefined ? this._hugetlbSize(opts.hugetlb) : this.arch.basePageSize;
    return this._createObject({
      name: `memfd:${opts.name ?? 'mem'}`,
      kind: opts.hugetlb !== undefined ? 'hugetlbfs' : 'shmem',
      size: opts.size,
      pageSize,
      hasFd: true,
    });
  }

  /**
   * Opens (creating if needed) a file on tmpfs, a disk filesystem or hugetlbfs. The same path is
   * the same page cache for every process. The model keeps a file's size fixed at creation.
   */
  openFile(path: string, opts: { fs: 'tmpfs' | 'disk' | 'hugetlbfs'; size: number; hugetlb?: number | undefined }): MemoryObject {
    const existing = this.#files.get(path);
    if (existing) {
      if (opts.size > existing.size) {
        throw hostErrors.error('host.object-range', { offset: 0, length: opts.size, size: existing.size, object: path });
      }
      if (opts.fs === 'hugetlbfs' && opts.hugetlb !== undefined && opts.hugetlb !== existing.pageSize) {
        throw hostErrors.error('host.object-page-size', { object: path, pageSize: existing.pageSize, wanted: opts.hugetlb });
      }
      return existing;
    }
    const hugetlb = opts.fs === 'hugetlbfs';
    const pageSize = hugetlb ? this._hugetlbSize(opts.hugetlb ?? this.arch.pmdSize) : this.arch.basePageSize;
    const kind: ObjectKind = hugetlb ? 'hugetlbfs' : opts.fs === 'tmpfs' ? 'shmem' : 'file';
    const obj = this._createObject({ name: path, kind, size: opts.size, pageSize, hasFd: true });
    this.#files.set(path, obj);
    return obj;
  }

  /** Host-wide memory use; O(number of hugetlb pools). */
  meminfo(): HostMeminfo {
    const hugetlbUsed = this.#hugetlbUsed;
    let hugetlbReserved = 0;
    for (const p of this.#pools.values()) hugetlbReserved += p.reserved * p.pageSize;
    return {
      anon: this.#anon,
      anonHugePages: this.#anonHuge,
      shmem: this.#shmem,
      filePages: this.#file,
      hugetlbUsed,
      hugetlbReserved,
      pageTables: this.#pageTables,
      total: this.#anon + this.#shmem + this.#file + hugetlbUsed + this.#pageTables,
    };
  }

  /** HostMeminfo.total without building the record. */
  get totalBytes(): number {
    return this.#anon + this.#shmem + this.#file + this.#hugetlbUsed + this.#pageTables;
  }

  /** The hugetlb pool of one page size (HugePages_Total/Free/Rsvd). */
  hugetlbPool(pageSize: number): { readonly total: number; readonly free: number; readonly reserved: number } {
    const p = this._pool(pageSize);
    return { total: p.total, free: p.free, reserved: p.reserved };
  }

  /**
   * Memory pressure: reclaim drops CMMA-unused pages of s390 KVM guests (unless userfaultfd is
   * armed on them, from 4.18) and the deferred-split shrinker frees the unmapped parts of THPs.
   */
  reclaim(): ReclaimOutcome {
    const before = this.totalBytes;
    let cmma = 0;
    let split = 0;
    for (const p of this.#processes) {
      for (const m of p.mappings) {
        if (p.pgste) cmma += m._reclaimCmmaUnused();
        split += m._runDeferredSplit();
      }
    }
    return { cmmaDroppedPages: cmma, deferredSplitFreedBytes: split, hostDelta: this.totalBytes - before };
  }

  /** Pending userfaults of every process that nobody will answer. */
  stuckFaults(): StuckFault[] {
    return [...this.#processes].flatMap((p) => (p.exited ? [] : p.stuckFaults()));
  }

  // ---- internal -------------------------------------------------------------------------------------------

  _nextId(): number {
    return this.#nextId++;
  }

  /** Checks a hugetlb page size against the architecture. */
  _hugetlbSize(pageSize: number): number {
    if (!this.arch.hugetlbPageSizes.includes(pageSize)) {
      throw hostErrors.error('host.hugetlb-size-unsupported', { pageSize, arch: this.arch.name, sizes: this.arch.hugetlbPageSizes });
    }
    return pageSize;
  }

  _pool(pageSize: number): HugetlbPool {
    let p = this.#pools.get(pageSize);
    if (!p) {
      p = new HugetlbPool(pageSize, this.#poolSizes[pageSize] ?? Infinity, (bytes) => (this.#hugetlbUsed += bytes));
      this.#pools.set(pageSize, p);
    }
    return p;
  }

  _createObject(o: { name: string; kind: ObjectKind; size: number; pageSize: number; hasFd: boolean }): MemoryObject {
    if (!Number.isSafeInteger(o.size) || o.size <= 0 || o.size % o.pageSize !== 0) {
      throw hostErrors.error('host.bad-size', { what: `size of '${o.name}'`, size: o.size, pageSize: o.pageSize });
    }
    return new MemoryObject({
      id: this._nextId(),
      name: o.name,
      kind: o.kind,
      size: o.size,
      pageSize: o.pageSize,
      chunkSize: o.pageSize === this.arch.basePageSize ? this.arch.pmdSize : o.pageSize,
      hasFd: o.hasFd,
      pool: o.kind === 'hugetlbfs' ? this._pool(o.pageSize) : undefined,
      owner: this,
    });
  }

  _noteAnon(bytes: number, thpBytes: number): void {
    this.#anon += bytes;
    this.#anonHuge += thpBytes;
  }

  _noteCache(kind: ObjectKind, bytes: number): void {
    if (kind === 'shmem') this.#shmem += bytes;
    else if (kind === 'file') this.#file += bytes;
    // hugetlbfs pages are counted by their pool.
  }

  _notePageTables(bytes: number): void {
    this.#pageTables += bytes;
  }
}
