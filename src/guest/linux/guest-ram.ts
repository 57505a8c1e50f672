/**
 * The guest kernel's view of its physical memory, the part hotplug and dumping depend on:
 *
 * - System RAM resources: boot RAM plus the "System RAM (virtio_mem)" ranges the driver added with
 *   add_memory_driver_managed() (/proc/iomem; what kexec describes to a crash kernel);
 * - buddy pages: memory the page allocator may hand out (online and plugged, not PageOffline);
 * - pages in use by the workload.
 *
 * The model does not migrate pages: a page in use cannot be isolated by alloc_contig_range() or
 * offlined, as if it were unmovable. Real movable pages would be migrated away if free memory
 * allowed; that is left to the workload to express by freeing what it does not need.
 */
import { RangeSet, gpaRange, type GpaRange } from './ranges.js';

export class GuestRam {
  readonly #boot: readonly GpaRange[];
  readonly #driverManaged = new RangeSet();
  readonly #buddy = new RangeSet();
  readonly #inUse = new RangeSet();

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

  giveToBuddy(range: GpaRange): void {
    this.#buddy.add(range.start, range.length);
  }

  takeFromBuddy(range: GpaRange): void {
    this.#buddy.remove(range.start, range.length);
  }

  /** Whether the page allocator could hand out every page of the range. */
  isAllocatable(range: GpaRange): boolean {
    return this.#buddy.covers(range.start, range.length);
  }

  /** Bytes of the range the page allocator manages (what MemTotal counts). */
  managedBytes(range: GpaRange): number {
    return this.#buddy.bytesWithin(range.start, range.length);
  }

  isInUse(range: GpaRange): boolean {
    return this.#inUse.overlaps(range.start, range.length);
  }

  markInUse(range: GpaRange): void {
    this.#inUse.add(range.start, range.length);
  }

  markFree(range: GpaRange): void {
    this.#inUse.remove(range.start, range.length);
  }

  inUseRanges(): GpaRange[] {
    return this.#inUse.ranges();
  }
}
