/**
 * The guest kernel's view of its physical memory, the part hotplug and dumping depend on:
 *
 * - System RAM resources: boot RAM plus the "System RAM (virtio_mem)" ranges the driver added with
 *   add_memory_driver_managed() (/proc/iomem; what kexec describes to a crash kernel);
 * - buddy pages: memory the page allocator may hand out (online and plugged, not PageOffline);
 * - pages in use by the workload.
 *
 * The page allocator (balloon/guest-pages.ts) is the same memory seen page by page, boot RAM and
 * hot-added memory online in either zone: once shared (shareBootAllocator), what the kernel takes
 * or frees here (a hot-added block's memmap, a workload's pages) is claimed from or given back to
 * it, and what it hands out (balloon pages) is in use here, so neither side hands out the other's
 * memory.
 *
 * Before memory leaves the buddy (offlining, alloc_contig_range) the allocator's movable pages in
 * it are migrated away (vacate): the balloon's pages move. Other pages in use are not migrated in
 * this model, as if they were unmovable; that is left to the workload to express by freeing what
 * it does not need.
 */
import type { AllocationListener } from '../balloon/guest-pages.js';
import { RangeSet, gpaRange, type GpaRange } from './ranges.js';

/** Boot RAM's page allocator, as far as this view tells it what the kernel did elsewhere. */
export interface BootAllocator {
  claim(range: { readonly gpa: number; readonly length: number }): void;
  giveBack(range: { readonly gpa: number; readonly length: number }): void;
  listen(listener: AllocationListener): void;
  onlineMovable(range: { readonly gpa: number; readonly length: number }): void;
  onlineKernel(range: { readonly gpa: number; readonly length: number }): void;
  offline(range: { readonly gpa: number; readonly length: number }): void;
  migrateOut(range: { readonly gpa: number; readonly length: number }): void;
  holdsSinglePages(range: { readonly gpa: number; readonly length: number }): boolean;
}

/** The zone memory is onlined to (hotplug-core.ts Zone). */
export type OnlineZone = 'kernel' | 'movable';

export class GuestRam {
  readonly #boot: readonly GpaRange[];
  readonly #driverManaged = new RangeSet();
  readonly #buddy = new RangeSet();
  readonly #inUse = new RangeSet();
  /** Hot-added memory in the buddy, either zone: the allocator's, like boot RAM. */
  readonly #hotAdded = new RangeSet();
  #bootAllocator: BootAllocator | undefined;

  constructor(bootRam: readonly GpaRange[]) {
    this.#boot = Object.freeze(bootRam.map((r) => gpaRange(r.start, r.length)));
    for (const r of this.#boot) this.#buddy.add(r.start, r.length);
  }

  bootRam(): readonly GpaRange[] {
    return this.#boot;
  }

  /** Memory added by a driver (add_memory_driver_managed), merged as MHP_MERGE_RESOURCE does. */
  driverManagedRam(): GpaRange[] {
    return this.#driverManaged.ranges();
  }

  /** Every System RAM resource, boot and added (each its own resource), in address order. */
  systemRam(): GpaRange[] {
    return [...this.#boot, ...this.#driverManaged.ranges()].sort((a, b) => a.start - b.start);
  }

  addDriverManaged(range: GpaRange): void {
    this.#driverManaged.add(range.start, range.length);
  }

  removeDriverManaged(range: GpaRange): void {
    this.#driverManaged.remove(range.start, range.length);
  }

  giveToBuddy(range: GpaRange, zone: OnlineZone): void {
    this.#buddy.add(range.start, range.length);
    this.#hotAdded.add(range.start, range.length);
    const r = { gpa: range.start, length: range.length };
    if (zone === 'movable') this.#bootAllocator?.onlineMovable(r);
    else this.#bootAllocator?.onlineKernel(r);
  }

  takeFromBuddy(range: GpaRange): void {
    this.#buddy.remove(range.start, range.length);
    this.#hotAdded.remove(range.start, range.length);
    this.#bootAllocator?.offline({ gpa: range.start, length: range.length });
  }

  /**
   * Migrates the allocator's movable pages out of the range (offline_pages, alloc_contig_range);
   * true when nothing in it is in use any more and it can leave the buddy.
   */
  vacate(range: GpaRange): boolean {
    if (this.isInUse(range)) this.#bootAllocator?.migrateOut({ gpa: range.start, length: range.length });
    return !this.isInUse(range);
  }

  /** Whether the page allocator could hand out every page of the range. */
  isAllocatable(range: GpaRange): boolean {
    return this.#buddy.covers(range.start, range.length);
  }

  /**
   * Whether the range is one free block a higher-order allocation can be served from: allocatable,
   * not in use, and not memory the allocator holds as single pages only (guest-pages.ts giveBackPages).
   */
  isFreeBlock(range: GpaRange): boolean {
    return this.isAllocatable(range) && !this.isInUse(range) && !(this.#bootAllocator?.holdsSinglePages({ gpa: range.start, length: range.length }) ?? false);
  }

  /** Bytes of the range the page allocator manages (what MemTotal counts). */
  managedBytes(range: GpaRange): number {
    return this.#buddy.bytesWithin(range.start, range.length);
  }

  isInUse(range: GpaRange): boolean {
    return this.#inUse.overlaps(range.start, range.length);
  }

  /** From now on this view and boot RAM's allocator agree on what is in use. */
  shareBootAllocator(allocator: BootAllocator): void {
    this.#bootAllocator = allocator;
    allocator.listen({
      allocated: (r) => this.#inUse.add(r.gpa, r.length),
      freed: (r) => this.#inUse.remove(r.gpa, r.length),
    });
  }

  markInUse(range: GpaRange): void {
    this.#inUse.add(range.start, range.length);
    for (const r of this.#allocatorParts(range)) this.#bootAllocator?.claim(r);
  }

  markFree(range: GpaRange): void {
    this.#inUse.remove(range.start, range.length);
    for (const r of this.#allocatorParts(range)) this.#bootAllocator?.giveBack(r);
  }

  /** The parts of the range the allocator manages: boot RAM and hot-added memory online. */
  #allocatorParts(range: GpaRange): { gpa: number; length: number }[] {
    const end = range.start + range.length;
    return [...this.#boot, ...this.#hotAdded.ranges()].flatMap((b) => {
      const start = Math.max(b.start, range.start);
      const stop = Math.min(b.start + b.length, end);
      return stop > start ? [{ gpa: start, length: stop - start }] : [];
    });
  }

  inUseRanges(): GpaRange[] {
    return this.#inUse.ranges();
  }
}
