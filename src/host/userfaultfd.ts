/**
 * userfaultfd in MISSING mode, as QEMU's postcopy uses it (linux.md §5). A read or write of a
 * missing page in a registered range does not fault the page in: it becomes a pending fault,
 * and the access that hit it is blocked until the monitor answers with UFFDIO_COPY or
 * UFFDIO_ZEROPAGE (and the waiter is woken). Nothing here blocks: pending faults are data.
 *
 * The model also remembers which pages this userfaultfd placed and what later removed them
 * (MADV_DONTNEED, hole punches, s390 storage-key zapping, CMMA discards). A fault on such a page
 * is the postcopy hang: QEMU marks a page received once it placed it and never requests it again
 * (fa41ba0d, bce73e48). `stuck()` lists those faults and the ones nobody reads.
 */
import { hex, type SimNanos } from '../core/units.js';
import { newFaultCounts, type Cost } from './accounting.js';
import type { Errno } from './errno.js';
import { hostErrors } from './errors.js';
import { kernelAtLeast, type UffdFeature } from './kernel.js';
import { checkTag } from './chunk.js';
import type { Mapping } from './mapping.js';
import type { HostProcess } from './process.js';

/** What removed a page this userfaultfd had placed. */
export type RemovalCause = 'madv-dontneed' | 'madv-remove' | 'punch-hole' | 'storage-keys' | 'cmma-discard';
const CAUSES: readonly RemovalCause[] = ['madv-dontneed', 'madv-remove', 'punch-hole', 'storage-keys', 'cmma-discard'];
const PLACED = 1;

/** Range ioctls UFFDIO_REGISTER reports (`uffdio_register.ioctls`). */
export type UffdIoctl = 'wake' | 'copy' | 'zeropage' | 'move' | 'poison';

export interface PendingFault {
  readonly uffd: Userfaultfd;
  readonly mapping: Mapping;
  /** Faulting address, page-aligned. */
  readonly address: number;
  /** Byte offset of the page in the mapping. */
  readonly offset: number;
  /** UFFD_PAGEFAULT_FLAG_WRITE. */
  readonly write: boolean;
  /** Labels of the accesses waiting on it (vCPU names, 'migration', ...). */
  readonly waiters: readonly string[];
  /** This userfaultfd placed the page before and the kernel took it away since. */
  readonly refaultCause: RemovalCause | undefined;
  readonly raisedAt: SimNanos;
}

export type UffdMessage =
  | { readonly event: 'pagefault'; readonly address: number; readonly write: boolean; readonly mapping: Mapping; readonly offset: number }
  | { readonly event: 'remove'; readonly start: number; readonly end: number; readonly mapping: Mapping };

export interface StuckFault {
  readonly fault: PendingFault;
  readonly reason: 'no-monitor' | 'refault-after-resolve';
  readonly detail: string;
}

export type RegisterOutcome = { readonly kind: 'done'; readonly ioctls: readonly UffdIoctl[] } | { readonly kind: 'error'; readonly errno: Errno };

/** UFFDIO_COPY / UFFDIO_ZEROPAGE: `bytes` filled before success or the error (uffdio_copy.copy). */
export type FillOutcome =
  (Cost & { readonly kind: 'done'; readonly bytes: number }) | (Cost & { readonly kind: 'error'; readonly errno: Errno; readonly bytes: number });

interface FaultRecord {
  readonly uffd: Userfaultfd;
  readonly mapping: Mapping;
  readonly address: number;
  readonly offset: number;
  write: boolean;
  readonly waiters: string[];
  readonly refaultCause: RemovalCause | undefined;
  readonly raisedAt: SimNanos;
  readonly page: number;
}

export interface UffdOptions {
  /** Features asked for in UFFDIO_API; EINVAL if the kernel lacks one. */
  readonly features?: readonly UffdFeature[];
  /** Whether a thread reads this userfaultfd (QEMU's postcopy fault thread). Default true. */
  readonly monitored?: boolean;
}

export class Userfaultfd {
  readonly process: HostProcess;
  readonly id: number;
  readonly features: ReadonlySet<UffdFeature>;
  /** Someone reads the fd and answers faults. */
  monitored: boolean;
  readonly #pending = new Map<string, FaultRecord>();
  readonly #placed = new Map<Mapping, Map<number, Uint8Array>>();
  #messages: UffdMessage[] = [];
  #mmapChanging = false;
  #closed = false;

  constructor(process: HostProcess, id: number, opts: UffdOptions) {
    this.process = process;
    this.id = id;
    this.features = new Set(opts.features ?? []);
    this.monitored = opts.monitored ?? true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * UFFDIO_REGISTER in MISSING mode. EINVAL for mappings userfaultfd cannot handle (regular
   * files; shmem and hugetlb before 4.11), EBUSY if another userfaultfd holds part of the range.
   */
  register(mapping: Mapping, offset = 0, length = mapping.size - offset, mode: 'missing' | 'wp' | 'minor' = 'missing'): RegisterOutcome {
    this.#usable(mapping);
    if (mode !== 'missing') throw hostErrors.error('host.uffd-mode-unsupported', { mode });
    const [s, e] = mapping._pagesOf(offset, length, 'uffd');
    const kernel = this.process.host.kernel;
    const anon = !mapping.object && mapping.backing === 'anon';
    const shmemOrHugetlb = mapping.backing === 'shmem' || mapping.backing === 'hugetlb';
    if (!anon && !(shmemOrHugetlb && kernelAtLeast(kernel, 4, 11))) return { kind: 'error', errno: 'EINVAL' };
    if (!mapping._register(this, s, e)) return { kind: 'error', errno: 'EBUSY' };
    const ioctls: UffdIoctl[] = ['wake', 'copy'];
    const hugetlb = mapping.backing === 'hugetlb';
    if (!hugetlb && (anon || !mapping.shared || kernel.uffdShmemZeropage)) ioctls.push('zeropage');
    if (!hugetlb && kernelAtLeast(kernel, 6, 8)) ioctls.push('move');
    if (kernelAtLeast(kernel, 6, 6)) ioctls.push('poison');
    return { kind: 'done', ioctls };
  }

  /** UFFDIO_UNREGISTER: pending faults in the range are woken (they retry as ordinary faults). */
  unregister(mapping: Mapping, offset = 0, length = mapping.size - offset): void {
    this.#usable(mapping);
    const [s, e] = mapping._pagesOf(offset, length, 'uffd');
    mapping._unregister(this, s, e);
    for (const [k, f] of this.#pending) if (f.mapping === mapping && f.page >= s && f.page < e) this.#pending.delete(k);
  }

  /** UFFDIO_COPY: places pages with content `tag` (0 = zeros) and, unless `wake: false`, wakes their waiters. */
  copy(mapping: Mapping, offset: number, length: number, tag: number, opts: { wake?: boolean } = {}): FillOutcome {
    checkTag(tag);
    return this.#fill(mapping, offset, length, 'copy', tag, opts.wake ?? true);
  }

  /**
   * UFFDIO_ZEROPAGE: maps the zeropage on private anonymous memory — or a zeroed private page
   * where the mm forbids the zeropage on 6.10+ — and allocates zeroed page cache on shmem.
   * EINVAL on hugetlb (no zeropage for every huge page size).
   */
  zeropage(mapping: Mapping, offset: number, length: number, opts: { wake?: boolean } = {}): FillOutcome {
    return this.#fill(mapping, offset, length, 'zeropage', 0, opts.wake ?? true);
  }

  /** UFFDIO_WAKE: waiters of faults whose page is now present resume; the others fault again at once. */
  wake(mapping: Mapping, offset: number, length: number): number {
    this.#usable(mapping);
    const [s, e] = mapping._pagesOf(offset, length, 'uffd');
    return this.#wake(mapping, s, e);
  }

  /** read(2): the fault and event messages not read yet. Reading clears mmap_changing. */
  read(): UffdMessage[] {
    const out = this.#messages;
    this.#messages = [];
    this.#mmapChanging = false;
    return out;
  }

  /** Faults waiting for an answer, oldest first. */
  pending(): PendingFault[] {
    return [...this.#pending.values()].map(freezeFault);
  }

  /** Pending faults that will never be answered, with why. */
  stuck(): StuckFault[] {
    const out: StuckFault[] = [];
    for (const rec of this.#pending.values()) {
      const fault = freezeFault(rec);
      if (!this.monitored) {
        out.push({
          fault,
          reason: 'no-monitor',
          detail: `nobody reads userfaultfd ${this.id}: the ${rec.write ? 'write' : 'read'} fault at ${hex(rec.address)} is never answered`,
        });
      } else if (rec.refaultCause) {
        out.push({
          fault,
          reason: 'refault-after-resolve',
          detail:
            `page ${hex(rec.address)} was placed through userfaultfd ${this.id} and later removed by ${rec.refaultCause}; ` +
            'a monitor that marks pages received once placed (QEMU postcopy) never places it again',
        });
      }
    }
    return out;
  }

  /** close(2): every registration goes; blocked accesses retry as ordinary faults. */
  close(): void {
    if (this.#closed) return;
    for (const m of this.process.mappings) m._unregister(this);
    this.#pending.clear();
    this.#placed.clear();
    this.#messages = [];
    this.#closed = true;
  }

  // ---- internal -------------------------------------------------------------------------------------------

  /** A registered missing page was accessed: queue (or join) its pending fault, or SIGBUS with UFFD_FEATURE_SIGBUS. */
  _raise(mapping: Mapping, page: number, write: boolean, by: string): PendingFault | 'sigbus' {
    if (this.features.has('sigbus')) return 'sigbus';
    const key = `${mapping.id}:${page}`;
    const existing = this.#pending.get(key);
    if (existing) {
      existing.write ||= write;
      if (!existing.waiters.includes(by)) existing.waiters.push(by);
      return freezeFault(existing);
    }
    const mark = this.#mark(mapping, page);
    const offset = page * mapping.pageSize;
    const rec: FaultRecord = {
      uffd: this,
      mapping,
      address: mapping.start + offset,
      offset,
      write,
      waiters: [by],
      refaultCause: mark > PLACED ? CAUSES[mark - PLACED - 1] : undefined,
      raisedAt: this.process.host.clock.now(),
      page,
    };
    this.#pending.set(key, rec);
    this.#messages.push({ event: 'pagefault', address: rec.address, write, mapping, offset });
    return freezeFault(rec);
  }

  /** Pages [s, e) of `mapping` were removed by the kernel; remember why for pages this fd placed. */
  _removed(mapping: Mapping, s: number, e: number, cause: RemovalCause): void {
    const chunks = this.#placed.get(mapping);
    if (!chunks) return;
    const code = PLACED + 1 + CAUSES.indexOf(cause);
    mapping.pages.forChunks(s, e, (c, lo, hi) => {
      const marks = chunks.get(c);
      if (!marks) return;
      for (let i = lo; i < hi; i++) if (marks[i] === PLACED) marks[i] = code;
    });
  }

  /** MADV_DONTNEED / MADV_REMOVE called userfaultfd_remove(): with EVENT_REMOVE the monitor hears of it. */
  _removeEvent(mapping: Mapping, s: number, e: number): void {
    if (!this.features.has('event-remove')) return;
    this.#messages.push({ event: 'remove', start: mapping.start + s * mapping.pageSize, end: mapping.start + e * mapping.pageSize, mapping });
    this.#mmapChanging = true;
  }

  /** The mapping went away (munmap/exit). */
  _forgetMapping(mapping: Mapping): void {
    for (const [k, f] of this.#pending) if (f.mapping === mapping) this.#pending.delete(k);
    this.#placed.delete(mapping);
  }

  // ---- private --------------------------------------------------------------------------------------------

  #fill(mapping: Mapping, offset: number, length: number, how: 'copy' | 'zeropage', tag: number, wake: boolean): FillOutcome {
    this.#usable(mapping);
    const [s, e] = mapping._pagesOf(offset, length, 'uffd');
    const m = this.process._begin();
    const f = newFaultCounts();
    const op = how === 'copy' ? 'uffd-copy' : 'uffd-zeropage';
    const fail = (errno: Errno, bytes = 0): FillOutcome => ({ kind: 'error', errno, bytes, ...this.process._end(m, op, mapping, offset, length, f) });
    if (!mapping._registrations().some((r) => r.uffd === this && r.start <= s && e <= r.end)) return fail('ENOENT');
    if (this.#mmapChanging) return fail('EAGAIN');
    if (how === 'zeropage') {
      if (mapping.backing === 'hugetlb') return fail('EINVAL');
      if (mapping.shared && !this.process.host.kernel.uffdShmemZeropage) return fail('EINVAL');
    }
    const done = mapping._fill(s, e, how, tag, f);
    this.#markPlaced(mapping, s, s + done.filled);
    if (wake) this.#wake(mapping, s, s + done.filled);
    const bytes = done.filled * mapping.pageSize;
    if (done.errno) return fail(done.errno, bytes);
    return { kind: 'done', bytes, ...this.process._end(m, op, mapping, offset, length, f) };
  }

  #wake(mapping: Mapping, s: number, e: number): number {
    let woken = 0;
    for (const [k, f] of this.#pending) {
      if (f.mapping !== mapping || f.page < s || f.page >= e) continue;
      if (mapping._isMissing(f.page)) continue;
      this.#pending.delete(k);
      woken += f.waiters.length;
    }
    return woken;
  }

  #markPlaced(mapping: Mapping, s: number, e: number): void {
    if (s >= e) return;
    let chunks = this.#placed.get(mapping);
    if (!chunks) this.#placed.set(mapping, (chunks = new Map<number, Uint8Array>()));
    const byChunk = chunks;
    mapping.pages.forChunks(s, e, (c, lo, hi) => {
      let marks = byChunk.get(c);
      if (!marks) byChunk.set(c, (marks = new Uint8Array(mapping.pages.pagesPerChunk)));
      marks.fill(PLACED, lo, hi);
    });
  }

  #mark(mapping: Mapping, page: number): number {
    const chunks = this.#placed.get(mapping);
    if (!chunks) return 0;
    const ppc = mapping.pages.pagesPerChunk;
    const c = Math.floor(page / ppc);
    return chunks.get(c)?.[page - c * ppc] ?? 0;
  }

  #usable(mapping: Mapping): void {
    if (this.#closed) throw hostErrors.error('host.uffd-closed', { id: this.id });
    if (mapping.process !== this.process) throw hostErrors.error('host.foreign-mapping', { mapping: mapping.name });
    if (!mapping.mapped) throw hostErrors.error('host.unmapped', { mapping: mapping.name });
  }
}

/** A range of a mapping registered with one userfaultfd, in pages. */
export interface Registration {
  readonly uffd: Userfaultfd;
  readonly start: number;
  readonly end: number;
}

/**
 * The registrations of one mapping, sorted and non-overlapping (registering splits VMAs in
 * Linux; here a mapping keeps the ranges). Adjacent ranges of the same userfaultfd merge.
 */
export class Registrations {
  #list: Registration[] = [];

  get list(): readonly Registration[] {
    return this.#list;
  }

  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** Registers [s, e) with `uffd`; false if another userfaultfd holds part of it (EBUSY). */
  add(uffd: Userfaultfd, s: number, e: number): boolean {
    if (this.#list.some((r) => r.uffd !== uffd && r.start < e && s < r.end)) return false;
    const mine = this.#list.filter((r) => r.uffd === uffd && r.start <= e && s <= r.end);
    const start = Math.min(s, ...mine.map((r) => r.start));
    const end = Math.max(e, ...mine.map((r) => r.end));
    this.#list = [...this.#list.filter((r) => !mine.includes(r)), { uffd, start, end }].sort((a, b) => a.start - b.start);
    return true;
  }

  /** Unregisters [s, e) from `uffd`. */
  remove(uffd: Userfaultfd, s: number, e: number): void {
    this.#list = this.#list.flatMap((r) => {
      if (r.uffd !== uffd || r.end <= s || e <= r.start) return [r];
      const parts: Registration[] = [];
      if (r.start < s) parts.push({ uffd, start: r.start, end: s });
      if (e < r.end) parts.push({ uffd, start: e, end: r.end });
      return parts;
    });
  }

  /** Drops everything, returning what was registered. */
  clear(): Registration[] {
    const old = this.#list;
    this.#list = [];
    return old;
  }

  at(page: number): Registration | undefined {
    return this.#list.find((r) => r.start <= page && page < r.end);
  }

  /** The registrations overlapping [s, e), each clipped to it. */
  overlapping(s: number, e: number): Registration[] {
    return this.#list.filter((r) => r.start < e && s < r.end).map((r) => ({ uffd: r.uffd, start: Math.max(s, r.start), end: Math.min(e, r.end) }));
  }

  /** [s, e) cut where registrations start and end, each piece with its registration or none. */
  segments(s: number, e: number): Array<{ start: number; end: number; reg: Registration | undefined }> {
    const out: Array<{ start: number; end: number; reg: Registration | undefined }> = [];
    let at = s;
    for (const r of this.#list) {
      if (r.end <= at || r.start >= e) continue;
      if (r.start > at) out.push({ start: at, end: r.start, reg: undefined });
      const end = Math.min(r.end, e);
      out.push({ start: Math.max(at, r.start), end, reg: r });
      at = end;
    }
    if (at < e) out.push({ start: at, end: e, reg: undefined });
    return out;
  }

  /** Whether a registration boundary falls strictly inside [s, e). */
  splits(s: number, e: number): boolean {
    return this.#list.some((r) => (r.start > s && r.start < e) || (r.end > s && r.end < e));
  }
}

function freezeFault(r: FaultRecord): PendingFault {
  return Object.freeze({
    uffd: r.uffd,
    mapping: r.mapping,
    address: r.address,
    offset: r.offset,
    write: r.write,
    waiters: Object.freeze([...r.waiters]),
    refaultCause: r.refaultCause,
    raisedAt: r.raisedAt,
  });
}
