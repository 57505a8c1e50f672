/**
 * A QEMU process on the emulated host: its mappings, its page tables, its userfaultfds and the
 * per-process facts that change how faults are resolved — KVM (on s390x: PGSTEs, no THP, the
 * zeropage rules of the kernel's era), storage keys and protected virtualization.
 *
 * Accounting is kept in running counters updated by every change, so `status()` is O(1).
 */
import { Ctr, formatKb, newFaultCounts, type Cost, type FaultCounts, type MemoryDelta, type ProcStatus } from './accounting.js';
import type { Errno } from './errno.js';
import { hostErrors } from './errors.js';
import type { Host } from './host.js';
import { Mapping, type Backing, type MappingFlags } from './mapping.js';
import type { MemoryObject } from './memory-object.js';
import { PageTableAccount, type PageTableSink } from './page-table.js';
import { Userfaultfd, type StuckFault, type UffdOptions } from './userfaultfd.js';

interface MapCommon {
  /** Shown in messages and the timeline (QEMU would show the backend id). */
  readonly name?: string;
  readonly size: number;
  /** PROT_READ only (memory-backend-file readonly=on). */
  readonly readonly?: boolean;
  readonly thp?: MappingFlags['thp'];
  readonly reserve?: boolean;
  readonly prealloc?: boolean;
  readonly merge?: boolean;
  /** Start-address alignment on top of the chunk size (qemu_ram_mmap's align). */
  readonly align?: number;
}

/** What to map; one variant per way QEMU's backends call mmap(). */
export type MapSpec =
  /** MAP_ANONYMOUS, private or shared, optionally MAP_HUGETLB with a page size. */
  | (MapCommon & { readonly kind: 'anon'; readonly shared?: boolean; readonly hugetlb?: number })
  /** A new memfd (memfd_create, MFD_HUGETLB with a page size), shared by default. */
  | (MapCommon & { readonly kind: 'memfd'; readonly shared?: boolean; readonly hugetlb?: number })
  /** A file by path; the same path maps the same page cache in every process. */
  | (MapCommon & {
      readonly kind: 'file';
      readonly path: string;
      readonly fs: 'tmpfs' | 'disk' | 'hugetlbfs';
      readonly hugetlb?: number;
      readonly shared?: boolean;
      readonly offset?: number;
    })
  /** An existing object (a memfd passed to another process, say). */
  | (MapCommon & { readonly kind: 'object'; readonly object: MemoryObject; readonly shared: boolean; readonly offset?: number });

export type MapOutcome =
  | (Cost & { readonly kind: 'done'; readonly mapping: Mapping })
  | (Cost & { readonly kind: 'error'; readonly errno: Errno; readonly stage: 'mmap' | 'prealloc' });

/** Enabling storage keys or PV: what happened to the zeropages already mapped. */
export type CowSharingOutcome =
  (Cost & { readonly kind: 'done'; readonly zappedPages: number; readonly unsharedPages: number }) | (Cost & { readonly kind: 'error'; readonly errno: Errno });

export type UffdOutcome = { readonly kind: 'done'; readonly uffd: Userfaultfd } | { readonly kind: 'error'; readonly errno: Errno };

export interface ProcessOptions {
  readonly name?: string;
  /** The process runs KVM guests (on s390x: PGSTE page tables, THP off, the s390 zeropage rules). */
  readonly kvm?: boolean;
}

/** Snapshot taken when an operation starts, to report its delta. */
export interface Measure {
  readonly counters: readonly number[];
  readonly host: number;
}

/** The lowest address mappings are placed at (bottom-up, like a fresh mmap area in the model). */
const MMAP_BASE = 16 * 2 ** 40;

export class HostProcess implements PageTableSink {
  readonly host: Host;
  readonly pid: number;
  readonly name: string;
  readonly kvm: boolean;
  /** s390x KVM: every PTE table carries a PGSTE half. */
  readonly pgste: boolean;
  readonly pageTables: PageTableAccount;
  readonly #counters: number[] = new Array<number>(Ctr.Count).fill(0);
  readonly #mappings = new Set<Mapping>();
  readonly #uffds = new Set<Userfaultfd>();
  #storageKeys = false;
  #pv = false;
  #nextAddress = MMAP_BASE;
  #vmSize = 0;
  /** VmLck: the sizes of the VM_LOCKED mappings. */
  #vmLck = 0;
  /** mlockall's MCL_FUTURE: later mappings are locked (and populated unless MCL_ONFAULT). */
  #lockFuture: { readonly onFault: boolean } | undefined;
  #exited = false;

  constructor(host: Host, pid: number, opts: ProcessOptions) {
    this.host = host;
    this.pid = pid;
    this.name = opts.name ?? `qemu-${pid}`;
    this.kvm = opts.kvm ?? false;
    this.pgste = this.kvm && host.arch.name === 's390x';
    this.pageTables = new PageTableAccount(host.arch, this.pgste, this);
  }

  get mappings(): readonly Mapping[] {
    return [...this.#mappings];
  }

  get exited(): boolean {
    return this.#exited;
  }

  get storageKeysEnabled(): boolean {
    return this.#storageKeys;
  }

  get pvEnabled(): boolean {
    return this.#pv;
  }

  /** !mm_forbids_zeropage(mm): whether read faults may map the shared zeropage now (linux.md §4.2). */
  get zeropageAllowed(): boolean {
    if (!this.pgste) return true;
    switch (this.host.kernel.s390Zeropage) {
      case 'skeys-zap':
        return !this.#storageKeys;
      case 'forbid-kvm':
        return false;
      case 'unshare':
        return !this.#storageKeys && !this.#pv;
    }
  }

  /** s390_enable_sie() splits THPs and sets VM_NOHUGEPAGE for the whole KVM process. */
  get thpAllowed(): boolean {
    return !this.pgste;
  }

  /** CONFIG_PT_RECLAIM applies (6.14+, x86-64 only at first). */
  get ptReclaim(): boolean {
    return this.host.kernel.ptReclaim && this.host.arch.name === 'x86_64';
  }

  /** The memory lines of /proc/PID/status (bytes), plus AnonHugePages, page-table memory and deferred-split memory. */
  status(): ProcStatus {
    const c = this.#counters;
    return {
      vmSize: this.#vmSize,
      vmLck: this.#vmLck,
      vmRss: c[Ctr.RssAnon]! + c[Ctr.RssFile]! + c[Ctr.RssShmem]!,
      rssAnon: c[Ctr.RssAnon]!,
      rssFile: c[Ctr.RssFile]!,
      rssShmem: c[Ctr.RssShmem]!,
      vmPte: c[Ctr.VmPte]!,
      hugetlbPages: c[Ctr.Hugetlb]!,
      anonHugePages: c[Ctr.AnonHuge]!,
      pageTableBytes: c[Ctr.PageTables]!,
      thpDeferredSplitBytes: c[Ctr.FolioHeld]!,
    };
  }

  /** The same lines as the kernel prints them in /proc/PID/status. */
  procStatusText(): string {
    const s = this.status();
    return [
      `VmSize:\t${formatKb(s.vmSize)}`,
      `VmLck:\t${formatKb(s.vmLck)}`,
      `VmRSS:\t${formatKb(s.vmRss)}`,
      `RssAnon:\t${formatKb(s.rssAnon)}`,
      `RssFile:\t${formatKb(s.rssFile)}`,
      `RssShmem:\t${formatKb(s.rssShmem)}`,
      `VmPTE:\t${formatKb(s.vmPte)}`,
      `HugetlbPages:\t${formatKb(s.hugetlbPages)}`,
    ].join('\n');
  }

  /**
   * mmap() a backend's memory. Caller bugs (sizes, page sizes, offsets) throw; a hugetlb pool too
   * small for the reservation answers ENOMEM, a failed prealloc EFAULT (MADV_POPULATE_WRITE) or
   * ENOMEM (touching pages, before 5.14), and leaves nothing mapped.
   */
  map(spec: MapSpec): MapOutcome {
    this.#checkAlive();
    const arch = this.host.arch;
    const m = this._begin();
    const f = newFaultCounts();
    const resolved = this.#resolve(spec);
    const { object, pageSize, backing, shared } = resolved;
    const name = spec.name ?? `map${this.host._nextId()}`;
    if (!Number.isSafeInteger(spec.size) || spec.size <= 0 || spec.size % pageSize !== 0) {
      throw hostErrors.error('host.bad-size', { what: `size of '${name}'`, size: spec.size, pageSize });
    }
    const chunkSize = pageSize === arch.basePageSize ? arch.pmdSize : pageSize;
    const objectOffset = resolved.offset;
    if (objectOffset % chunkSize !== 0) {
      throw hostErrors.error('host.misaligned', { what: 'object offset', value: objectOffset, alignment: chunkSize, mapping: name });
    }
    if (object && objectOffset + spec.size > object.size) {
      throw hostErrors.error('host.object-range', { offset: objectOffset, length: spec.size, size: object.size, object: object.name });
    }
    const align = Math.max(chunkSize, spec.align ?? 0);
    const start = Math.ceil(this.#nextAddress / align) * align;
    const fail = (errno: Errno, stage: 'mmap' | 'prealloc'): MapOutcome => ({
      kind: 'error',
      errno,
      stage,
      ...this._end(m, 'mmap', undefined, 0, spec.size, f),
    });
    if (start + spec.size > arch.userAddressLimit) return fail('ENOMEM', 'mmap');
    const flags: MappingFlags = {
      thp: spec.thp ?? 'default',
      reserve: spec.reserve ?? true,
      prealloc: spec.prealloc ?? false,
      merge: spec.merge ?? false,
    };
    const mapping = new Mapping({
      process: this,
      id: this.host._nextId(),
      name,
      start,
      size: spec.size,
      pageSize,
      chunkSize,
      shared,
      readonly: spec.readonly ?? false,
      backing,
      object,
      objectOffset,
      flags,
    });
    if (backing === 'hugetlb' && flags.reserve) {
      if (shared && object) {
        if (!object.reserveForSharedMapping()) return fail('ENOMEM', 'mmap');
      } else {
        const pool = this.host._pool(pageSize);
        if (!pool.reserve(mapping.pageCount)) return fail('ENOMEM', 'mmap');
        mapping.reservedLeft = mapping.pageCount;
      }
    }
    this.#nextAddress = start + spec.size;
    this.#mappings.add(mapping);
    this.#vmSize += spec.size;
    object?._attach(mapping);
    let faults: FaultCounts = f;
    if (this.#lockFuture) {
      // mmap of a VM_LOCKED area populates it (mm_populate) before QEMU preallocates anything.
      faults = mapping._lock(!this.#lockFuture.onFault).faults;
      this.#vmLck += spec.size;
    }
    if (flags.prealloc) {
      // QEMU's qemu_prealloc_mem(): MADV_POPULATE_WRITE where the kernel has it, else touching
      // every page; a SIGBUS while touching is reported as ENOMEM ("Insufficient free host memory").
      const populate = this.host.kernel.madvPopulate;
      const done = populate ? mapping.populate(0, spec.size, 'write') : mapping.touch(0, spec.size);
      if (done.kind !== 'done') {
        this.unmap(mapping);
        return fail(populate ? 'EFAULT' : 'ENOMEM', 'prealloc');
      }
      faults = done.faults;
    }
    return { kind: 'done', mapping, ...this._end(m, 'mmap', mapping, 0, spec.size, faults) };
  }

  /**
   * mlockall(MCL_CURRENT | MCL_FUTURE, with MCL_ONFAULT if `onFault`): every mapping now and
   * later is VM_LOCKED and, without MCL_ONFAULT, populated. The model has no RLIMIT_MEMLOCK: the
   * process may lock all it maps (QEMU run as root, or with CAP_IPC_LOCK as libvirt grants it).
   */
  mlockall(opts: { readonly onFault: boolean }): Cost {
    this.#checkAlive();
    const m = this._begin();
    const f = newFaultCounts();
    this.#lockFuture = opts;
    for (const mapping of this.#mappings) {
      if (mapping.locked) continue;
      const { faults } = mapping._lock(!opts.onFault);
      for (const k of Object.keys(f) as (keyof typeof f)[]) f[k] += faults[k];
      this.#vmLck += mapping.size;
    }
    return this._end(m, 'mlockall', undefined, 0, 0, f);
  }

  /**
   * account_locked_vm: VFIO type1 charges the pages it pins to mm->locked_vm, the VmLck line,
   * on top of any mlock of the same pages (the kernel counts them twice).
   */
  _chargeLockedVm(bytes: number): void {
    this.#vmLck += bytes;
  }

  /** munmap(): the mapping's pages and page tables go; page cache stays with its object. */
  unmap(mapping: Mapping): Cost {
    this.#own(mapping);
    const m = this._begin();
    if (mapping.mapped) {
      if (mapping.locked) this.#vmLck -= mapping.size;
      mapping._unmap();
      this.#mappings.delete(mapping);
      this.#vmSize -= mapping.size;
    }
    return this._end(m, 'munmap', mapping, 0, mapping.size, newFaultCounts());
  }

  /** The mapping that holds `address`, if any. */
  mappingAt(address: number): Mapping | undefined {
    for (const m of this.#mappings) if (address >= m.start && address < m.start + m.size) return m;
    return undefined;
  }

  /** userfaultfd(2) + UFFDIO_API. ENOSYS before 4.3; EINVAL for a feature the kernel lacks. */
  userfaultfd(opts: UffdOptions = {}): UffdOutcome {
    this.#checkAlive();
    const kernel = this.host.kernel;
    if (!kernel.userfaultfd) return { kind: 'error', errno: 'ENOSYS' };
    if ((opts.features ?? []).some((feat) => !kernel.uffdFeatures.has(feat))) return { kind: 'error', errno: 'EINVAL' };
    const uffd = new Userfaultfd(this, this.host._nextId(), opts);
    this.#uffds.add(uffd);
    return { kind: 'done', uffd };
  }

  /** Pending userfaults of this process that nobody will answer. */
  stuckFaults(): StuckFault[] {
    return [...this.#uffds].flatMap((u) => (u.closed ? [] : u.stuck()));
  }

  /**
   * s390 storage keys get enabled (the guest's first key instruction, or KVM_S390_SET_SKEYS on a
   * migration destination). Before 4.14 every zeropage PTE is zapped — a later access in a
   * userfaultfd range faults again; 4.14–6.9 keys are just initialized; 6.10+ unshares every
   * zeropage into a zeroed private page.
   */
  enableStorageKeys(): CowSharingOutcome {
    this._requireS390Kvm('enabling storage keys');
    const m = this._begin();
    const f = newFaultCounts();
    let zapped = 0;
    let unshared = 0;
    if (!this.#storageKeys) {
      const era = this.host.kernel.s390Zeropage;
      const wasAllowed = this.zeropageAllowed;
      this.#storageKeys = true;
      if (era === 'skeys-zap') zapped = this.#eachMapping((mp) => mp._zapZeropages());
      else if (era === 'unshare' && wasAllowed) unshared = this.#eachMapping((mp) => mp._unshareZeropages());
    }
    f.cow = unshared;
    return { kind: 'done', zappedPages: zapped, unsharedPages: unshared, ...this._end(m, 'storage-keys', undefined, 0, 0, f) };
  }

  /** KVM_PV_ENABLE (5.7+; EINVAL before). On 6.10+ it unshares zeropages like storage keys do. */
  enablePv(): CowSharingOutcome {
    this._requireS390Kvm('enabling protected virtualization');
    const m = this._begin();
    const f = newFaultCounts();
    if (!this.host.kernel.protectedVirtualization) {
      return { kind: 'error', errno: 'EINVAL', ...this._end(m, 'pv-enable', undefined, 0, 0, f) };
    }
    let unshared = 0;
    if (!this.#pv) {
      const wasAllowed = this.zeropageAllowed;
      this.#pv = true;
      if (this.host.kernel.s390Zeropage === 'unshare' && wasAllowed) unshared = this.#eachMapping((mp) => mp._unshareZeropages());
    }
    f.cow = unshared;
    return { kind: 'done', zappedPages: 0, unsharedPages: unshared, ...this._end(m, 'pv-enable', undefined, 0, 0, f) };
  }

  /** The process exits: everything is unmapped and every userfaultfd closed. */
  exit(): Cost {
    const m = this._begin();
    for (const u of this.#uffds) u.close();
    for (const mp of [...this.#mappings]) this.unmap(mp);
    this.#exited = true;
    return this._end(m, 'exit', undefined, 0, 0, newFaultCounts());
  }

  // ---- internal -------------------------------------------------------------------------------------------

  _requireS390Kvm(operation: string): void {
    if (!this.pgste) throw hostErrors.error('host.needs-s390-kvm', { operation, arch: this.host.arch.name, kvm: this.kvm });
  }

  /** A mapping's pages changed: bytes by kind, as the mapping computed them. */
  _noteMapping(backing: Backing, anon: number, cache: number, hugetlbPrivate: number, thp: number, folioHeld: number): void {
    const c = this.#counters;
    c[Ctr.RssAnon]! += anon;
    if (backing === 'hugetlb') c[Ctr.Hugetlb]! += cache + hugetlbPrivate;
    else if (backing === 'file') c[Ctr.RssFile]! += cache;
    else c[Ctr.RssShmem]! += cache;
    c[Ctr.AnonHuge]! += thp;
    c[Ctr.FolioHeld]! += folioHeld;
    this.host._noteAnon(anon + folioHeld, thp);
  }

  _notePageTables(vmPteBytes: number, memoryBytes: number): void {
    this.#counters[Ctr.VmPte]! += vmPteBytes;
    this.#counters[Ctr.PageTables]! += memoryBytes;
    this.host._notePageTables(memoryBytes);
  }

  _begin(): Measure {
    return { counters: this.#counters.slice(), host: this.host.totalBytes };
  }

  /** Ends a measured operation: its delta, and a timeline entry if the host keeps one. */
  _end(m: Measure, op: string, mapping: Mapping | undefined, offset: number, length: number, faults: FaultCounts): Cost {
    const c = this.#counters;
    const b = m.counters;
    const delta: MemoryDelta = {
      rssAnon: c[Ctr.RssAnon]! - b[Ctr.RssAnon]!,
      rssFile: c[Ctr.RssFile]! - b[Ctr.RssFile]!,
      rssShmem: c[Ctr.RssShmem]! - b[Ctr.RssShmem]!,
      hugetlb: c[Ctr.Hugetlb]! - b[Ctr.Hugetlb]!,
      vmPte: c[Ctr.VmPte]! - b[Ctr.VmPte]!,
      pageTables: c[Ctr.PageTables]! - b[Ctr.PageTables]!,
      host: this.host.totalBytes - m.host,
    };
    this.host.timeline?.record({
      at: this.host.clock.now(),
      pid: this.pid,
      process: this.name,
      op,
      mapping: mapping?.name,
      offset,
      length,
      delta,
      faults,
      vmRss: c[Ctr.RssAnon]! + c[Ctr.RssFile]! + c[Ctr.RssShmem]!,
      hostTotal: m.host + delta.host,
    });
    return { delta, faults };
  }

  // ---- private --------------------------------------------------------------------------------------------

  #resolve(spec: MapSpec): { object: MemoryObject | undefined; pageSize: number; backing: Backing; shared: boolean; offset: number } {
    const host = this.host;
    switch (spec.kind) {
      case 'anon': {
        const shared = spec.shared ?? false;
        const hugetlb = spec.hugetlb !== undefined ? host._hugetlbSize(spec.hugetlb) : undefined;
        const pageSize = hugetlb ?? host.arch.basePageSize;
        if (!shared) return { object: undefined, pageSize, backing: hugetlb ? 'hugetlb' : 'anon', shared, offset: 0 };
        // MAP_SHARED|MAP_ANONYMOUS is a hidden shmem (or hugetlbfs) file nobody has an fd for.
        const object = host._createObject({
          name: hugetlb ? 'anon_hugepage' : 'dev/zero',
          kind: hugetlb ? 'hugetlbfs' : 'shmem',
          size: spec.size,
          pageSize,
          hasFd: false,
        });
        return { object, pageSize, backing: hugetlb ? 'hugetlb' : 'shmem', shared, offset: 0 };
      }
      case 'memfd': {
        const object = host.createMemfd({ name: spec.name ?? 'mem', size: spec.size, hugetlb: spec.hugetlb });
        return { object, pageSize: object.pageSize, backing: backingOf(object), shared: spec.shared ?? true, offset: 0 };
      }
      case 'file': {
        const offset = spec.offset ?? 0;
        const object = host.openFile(spec.path, { fs: spec.fs, size: offset + spec.size, hugetlb: spec.hugetlb });
        return { object, pageSize: object.pageSize, backing: backingOf(object), shared: spec.shared ?? false, offset };
      }
      case 'object':
        return { object: spec.object, pageSize: spec.object.pageSize, backing: backingOf(spec.object), shared: spec.shared, offset: spec.offset ?? 0 };
    }
  }

  #eachMapping(fn: (m: Mapping) => number): number {
    let n = 0;
    for (const m of this.#mappings) if (m.backing !== 'hugetlb') n += fn(m);
    return n;
  }

  #own(mapping: Mapping): void {
    if (mapping.process !== this) throw hostErrors.error('host.foreign-mapping', { mapping: mapping.name });
  }

  #checkAlive(): void {
    if (this.#exited) throw hostErrors.error('host.process-exited', { process: this.name, pid: this.pid });
  }
}

function backingOf(object: MemoryObject): Backing {
  return object.kind === 'hugetlbfs' ? 'hugetlb' : object.kind;
}
