/**
 * The guest kernel's page allocator as far as ballooning sees it: which guest-physical memory is
 * free, free and already reported to the host, isolated while being reported, or handed out
 * (to the kernel at boot, to a workload, to the balloon, to free page hinting), and what the
 * kernel counts as managed (MemTotal).
 *
 * Allocation order follows the buddy allocator's lists: memory freed since boot sits at the head
 * (and on the per-cpu lists) and is handed out first; then the memory boot gave the allocator, which
 * from 5.10 sits at the lists' tails in address order (lowest address first), before 5.10 at their
 * heads (highest first); page reporting puts reported pages back at the tail (mm/page_reporting.c,
 * page_reporting_drain), so they are reused last. Recently freed memory was written, so on the host
 * it is resident: what the next allocation (a balloon's, say) takes decides what the host gets back.
 * With init_on_alloc every allocation is zeroed, with init_on_free every freed page, and page
 * poisoning fills freed pages with PAGE_POISON (mm/page_alloc.c post_alloc_hook /
 * free_pages_prepare); each of those writes reaches the host.
 *
 * Hot-added memory joins the allocator when it is onlined (online_pages frees it through
 * __free_pages_core, in the same order as boot memory), to ZONE_MOVABLE or to ZONE_NORMAL (the
 * kernel zone hotplugged memory above 4 GiB goes to). Movable allocations (user memory, balloon
 * pages: GFP_HIGHUSER_MOVABLE) walk the zonelist from the highest zone, so they are served from
 * ZONE_MOVABLE, then from hot-added ZONE_NORMAL, before boot RAM; unmovable ones (the free page
 * hint's blocks, and the kernel's own: kernel-memory.ts) never come from ZONE_MOVABLE but may
 * come from ZONE_NORMAL. Offlining memory first migrates the movable pages in it (migrateOut: the
 * balloon's pages move, balloon compaction being built into Debian's kernels), then takes it out;
 * unmovable pages keep it online.
 */
import type { GuestMemoryPort } from '../memory-port.js';
import { Extents, type Range } from './extents.js';
import { GUEST_PAGE_SIZE } from './kernel-facts.js';

/** A zone of guest memory (ZONE_DMA32 below 4 GiB, ZONE_NORMAL above on x86_64). */
export interface GuestZone {
  readonly name: string;
  readonly range: Range;
}

export interface GuestMemoryOptions {
  readonly memory: GuestMemoryPort;
  /** Where boot memory is handed out from: `lowest` from 5.10 (kernel-facts.ts boot-memory-to-tail). */
  readonly bootOrder: 'lowest' | 'highest';
  /**
   * ZONE_MOVABLE's min watermark: a `share` of min_free_kbytes by managed size like any zone, or
   * `capped` like highmem's from 6.6 (kernel-facts.ts movable-min-capped).
   */
  readonly movableMin: 'share' | 'capped';
  readonly initOnAlloc: boolean;
  readonly initOnFree: boolean;
  /** CONFIG_PAGE_POISONING with page_poison=1. */
  readonly pagePoisoning: boolean;
}

/** The content tag page poisoning writes (PAGE_POISON is 0xaa). */
export const PAGE_POISON_TAG = 0xaa;

const isqrt = (n: number): number => Math.floor(Math.sqrt(n));
/** The zones hot-added memory is onlined to, as /proc/zoneinfo names them. */
const MOVABLE_ZONE = 'Movable';
const NORMAL_ZONE = 'Normal';
/** The smallest capped min watermark, in pages. */
const SWAP_CLUSTER_MAX = 32;

interface WatermarkBasis {
  readonly bootPages: number;
  readonly managed: ReadonlyMap<string, number>;
}

const spanOf = (set: Extents): Range | undefined => {
  const all = set.ranges();
  if (all.length === 0) return undefined;
  const last = all.at(-1)!;
  return { gpa: all[0]!.gpa, length: last.gpa + last.length - all[0]!.gpa };
};

/** The free memory of a range taken off the lists while it is being offlined, by list. */
interface Isolated {
  readonly free: Range[];
  readonly hot: Range[];
  readonly singlePages: Range[];
  readonly reported: Range[];
}

/** The rest of the guest's memory view (guest-ram.ts), told what the allocator hands out and gets back. */
export interface AllocationListener {
  allocated(range: Range): void;
  freed(range: Range): void;
}

/** An owner of movable pages (balloon_dev_info's migratepage): moves its pages in `range` elsewhere. */
export type PageMigrator = (range: Range) => void;

export class GuestPages {
  readonly #free = new Extents();
  /** Hot-added memory onlined to ZONE_MOVABLE, free or not. */
  readonly #movable = new Extents();
  /** Hot-added memory onlined to ZONE_NORMAL, free or not. */
  readonly #normal = new Extents();
  readonly #migrators = new Set<PageMigrator>();
  /** The part of #free freed since boot: first in line. */
  readonly #hot = new Extents();
  /** The part of #hot freed page by page late in boot, which no higher-order allocation is served from. */
  readonly #singlePages = new Extents();
  #listener: AllocationListener | undefined;
  readonly #reported = new Extents();
  readonly #isolated = new Extents();
  readonly #reserved = new Extents();
  readonly #releaseListeners = new Set<() => void>();
  /** Pages the balloon took out of the managed count (adjust_managed_page_count). */
  #unmanaged = 0;
  /** The boot zones' managed pages, fixed when first asked for, after boot. */
  #bootWatermarkBasis: WatermarkBasis | undefined;

  constructor(
    readonly bootZones: readonly GuestZone[],
    readonly options: GuestMemoryOptions,
  ) {
    for (const z of bootZones) this.#free.add(z.range.gpa, z.range.length);
  }

  /**
   * Boot RAM's zones, then hot-added ZONE_NORMAL and ZONE_MOVABLE spanning the memory online in
   * each now. (Where boot RAM reaches above 4 GiB, its part there is ZONE_NORMAL too; it stays
   * its own zone here.)
   */
  get zones(): readonly GuestZone[] {
    const hotAdded = [
      { name: NORMAL_ZONE, range: spanOf(this.#normal) },
      { name: MOVABLE_ZONE, range: spanOf(this.#movable) },
    ].flatMap((z) => (z.range ? [{ name: z.name, range: z.range }] : []));
    return [...this.bootZones, ...hotAdded];
  }

  /** online_pages for ZONE_MOVABLE: the range becomes free memory of the allocator. */
  onlineMovable(range: Range): void {
    this.#movable.add(range.gpa, range.length);
    this.#free.add(range.gpa, range.length);
  }

  /** online_pages for ZONE_NORMAL: the range becomes free memory of the allocator. */
  onlineKernel(range: Range): void {
    this.#normal.add(range.gpa, range.length);
    this.#free.add(range.gpa, range.length);
  }

  /** offline_pages, once nothing in the range is in use: the range leaves the allocator. */
  offline(range: Range): void {
    this.#take(range);
    this.#reported.remove(range.gpa, range.length);
    this.#movable.remove(range.gpa, range.length);
    this.#normal.remove(range.gpa, range.length);
  }

  /** Registers an owner of movable pages; returns its unregistration. */
  registerMigrator(migrator: PageMigrator): () => void {
    this.#migrators.add(migrator);
    return () => this.#migrators.delete(migrator);
  }

  /** do_migrate_range: every owner of movable pages in the range moves them out, as far as memory allows. */
  migrateOut(range: Range): void {
    for (const migrate of [...this.#migrators]) migrate(range);
  }

  /** memblock reservations at boot: never managed, never free (kernel image, memmap). */
  reserve(range: Range): void {
    this.#take(range);
    this.#reserved.add(range.gpa, range.length);
  }

  /** Shares the allocator's decisions with the guest's other memory view. */
  listen(listener: AllocationListener): void {
    this.#listener = listener;
  }

  /** Memory the kernel allocated outside this model (a hot-added block's memmap): no longer free. */
  claim(range: Range): void {
    this.#take(range);
    this.#reported.remove(range.gpa, range.length);
  }

  /** Memory the kernel freed outside this model: free, and first in line. */
  giveBack(range: Range): void {
    this.#free.add(range.gpa, range.length);
    this.#hot.add(range.gpa, range.length);
    for (const listener of [...this.#releaseListeners]) listener();
  }

  /**
   * Memory the kernel freed page by page late in boot (free_reserved_area: the kernel image's
   * init and alignment gaps, the initrd): free and first in line for order-0 allocations, but in
   * pieces scattered through the image, so a block of pageblock order or more (a hot-added
   * block's PMD-sized vmemmap, a free page hint) is never served from it. Observed: Linux 7.2
   * writes the memmap of hot-added memory in fresh boot RAM while 12 MiB freed late in boot
   * stays free and resident (kernel-memory.ts).
   */
  giveBackPages(range: Range): void {
    this.giveBack(range);
    this.#singlePages.add(range.gpa, range.length);
  }

  /** Whether any of the range is free only as single pages (giveBackPages). */
  holdsSinglePages(range: Range): boolean {
    return this.#singlePages.bytesWithin(range.gpa, range.length) > 0;
  }

  #take(range: Range): void {
    this.#free.remove(range.gpa, range.length);
    this.#hot.remove(range.gpa, range.length);
    this.#singlePages.remove(range.gpa, range.length);
  }

  /**
   * A zone's low watermark (__setup_per_zone_wmarks). min_free_kbytes = int_sqrt(lowmem_kbytes * 16),
   * clamped to [128, 262144] (guests below 256 GiB never reach the upper clamp), from boot RAM
   * and hot-added ZONE_NORMAL: init_per_zone_wmark_min runs again when memory is onlined or
   * offlined, but counts only the zones GFP_USER allocates from, so ZONE_MOVABLE leaves it as it
   * was. Each zone's min is its share of it by managed pages, the shares taken over the boot
   * zones, hot-added ZONE_NORMAL and, before 6.6, ZONE_MOVABLE too (so onlining it lowers the
   * boot zones' watermarks); from 6.6 ZONE_MOVABLE's min is its managed pages / 1024 clamped to
   * [32, 128] (SWAP_CLUSTER_MAX), as highmem's. low = min plus the larger of a quarter of the
   * share and 0.1 % of the zone (watermark_scale_factor 10).
   */
  lowWatermark(zone: GuestZone): number {
    const { bootPages, managed } = this.#watermarkBasis();
    const movablePages = this.#movable.total() / GUEST_PAGE_SIZE;
    const normalPages = this.#normal.total() / GUEST_PAGE_SIZE;
    const minFreeKbytes = Math.min(262144, Math.max(128, isqrt((((bootPages + normalPages) * GUEST_PAGE_SIZE) / 1024) * 16)));
    const minPages = Math.floor(minFreeKbytes / (GUEST_PAGE_SIZE / 1024));
    const capped = this.options.movableMin === 'capped';
    const lowmemPages = bootPages + normalPages + (capped ? 0 : movablePages);
    const isMovable = zone.name === MOVABLE_ZONE;
    const zonePages = isMovable ? movablePages : zone.name === NORMAL_ZONE ? normalPages : (managed.get(zone.name) ?? 0);
    const share = Math.floor((minPages * zonePages) / lowmemPages);
    const min = isMovable && capped ? Math.min(128, Math.max(SWAP_CLUSTER_MAX, Math.floor(zonePages / 1024))) : share;
    return (min + Math.max(Math.floor(share / 4), Math.floor((zonePages * 10) / 10000))) * GUEST_PAGE_SIZE;
  }

  #watermarkBasis(): WatermarkBasis {
    if (this.#bootWatermarkBasis === undefined) {
      const managed = new Map(
        this.bootZones.map((z) => [z.name, (z.range.length - this.#reserved.bytesWithin(z.range.gpa, z.range.length)) / GUEST_PAGE_SIZE]),
      );
      this.#bootWatermarkBasis = { bootPages: [...managed.values()].reduce((a, b) => a + b, 0), managed };
    }
    return this.#bootWatermarkBasis;
  }

  /** Called after memory returns to the allocator (page reporting listens). */
  onRelease(listener: () => void): () => void {
    this.#releaseListeners.add(listener);
    return () => this.#releaseListeners.delete(listener);
  }

  /**
   * Hands out up to `bytes` (whole pages) of movable memory: ZONE_MOVABLE first, then hot-added
   * ZONE_NORMAL, then boot RAM;
   * in each, memory freed since boot first, then the free memory onlining or boot gave it in the
   * kernel's order, then reported memory. `exclude` is memory being offlined (isolated: migration
   * targets never come from there). Fewer bytes come back when memory runs short; the caller
   * decides what that means.
   */
  allocate(bytes: number, exclude?: Range): Range[] {
    const wanted = Math.floor(bytes / GUEST_PAGE_SIZE) * GUEST_PAGE_SIZE;
    const isolated = exclude ? this.#isolateFree(exclude) : undefined;
    const got: Range[] = [];
    const have = (): number => got.reduce((n, r) => n + r.length, 0);
    const hotAdded = [spanOf(this.#movable), spanOf(this.#normal)].filter((z) => z !== undefined);
    for (const within of [...hotAdded, undefined]) {
      const hot = this.#hot.takeHighest(wanted - have(), within);
      for (const r of hot) {
        this.#free.remove(r.gpa, r.length);
        this.#singlePages.remove(r.gpa, r.length);
      }
      got.push(...hot);
      got.push(...(this.options.bootOrder === 'lowest' ? this.#free.takeLowest(wanted - have(), within) : this.#free.takeHighest(wanted - have(), within)));
      got.push(...this.#reported.takeHighest(wanted - have(), within));
    }
    if (isolated) this.#restore(isolated);
    this.#afterAllocation(got);
    return got;
  }

  /** Takes the free memory of a range off the lists for a while, and says what it took. */
  #isolateFree(range: Range): Isolated {
    const part = (set: Extents) => Extents.of(set.ranges()).takeLowest(range.length, range);
    const taken = { free: part(this.#free), hot: part(this.#hot), singlePages: part(this.#singlePages), reported: part(this.#reported) };
    this.#take(range);
    this.#reported.remove(range.gpa, range.length);
    return taken;
  }

  #restore(taken: Isolated): void {
    for (const r of taken.free) this.#free.add(r.gpa, r.length);
    for (const r of taken.hot) this.#hot.add(r.gpa, r.length);
    for (const r of taken.singlePages) this.#singlePages.add(r.gpa, r.length);
    for (const r of taken.reported) this.#reported.add(r.gpa, r.length);
  }

  /** One naturally aligned block of `size` bytes, or nothing (a __GFP_NORETRY high-order allocation). */
  allocateBlock(size: number): Range | undefined {
    const servable = (b: Range) => this.#movable.bytesWithin(b.gpa, b.length) === 0 && !this.holdsSinglePages(b);
    const block = this.#free.blocks(size, size).find(servable) ?? this.#reported.blocks(size, size).find(servable);
    if (!block) return undefined;
    this.#take(block);
    this.#reported.remove(block.gpa, block.length);
    this.#afterAllocation([block]);
    return block;
  }

  #afterAllocation(ranges: readonly Range[]): void {
    for (const r of ranges) {
      this.#listener?.allocated(r);
      if (this.options.initOnAlloc) this.options.memory.zero(r.gpa, r.length);
    }
  }

  /** Gives memory back to the allocator. */
  release(ranges: readonly Range[]): void {
    for (const r of ranges) {
      if (this.options.initOnFree) this.options.memory.zero(r.gpa, r.length);
      else if (this.options.pagePoisoning) this.options.memory.write(r.gpa, r.length, PAGE_POISON_TAG);
      this.#free.add(r.gpa, r.length);
      this.#hot.add(r.gpa, r.length);
      this.#listener?.freed(r);
    }
    if (ranges.length > 0) for (const listener of [...this.#releaseListeners]) listener();
  }

  /** adjust_managed_page_count for balloon pages taken out of (negative) or given back to MemTotal. */
  adjustManaged(bytes: number): void {
    this.#unmanaged -= bytes;
  }

  /** MemTotal: what boot's zones hold and hot-added memory online, minus boot reservations and balloon pages taken out of the count. */
  memTotal(): number {
    return this.bootZones.reduce((n, z) => n + z.range.length, 0) + this.#movable.total() + this.#normal.total() - this.#reserved.total() - this.#unmanaged;
  }

  /** MemFree: free memory, reported or not. */
  memFree(): number {
    return this.#free.total() + this.#reported.total();
  }

  /** Free memory of a zone, reported or not (what the watermark check counts). */
  zoneFree(zone: GuestZone): number {
    const { gpa, length } = zone.range;
    return this.#free.bytesWithin(gpa, length) + this.#reported.bytesWithin(gpa, length);
  }

  reportedBytes(): number {
    return this.#reported.total();
  }

  /** Unreported free buddy blocks of exactly `size` bytes in a zone, in free-list order. */
  unreportedBlocks(zone: GuestZone, size: number, maxBlock: number): Range[] {
    return this.#free.blocks(size, maxBlock, zone.range).filter((b) => b.length === size);
  }

  /** area->nr_free for one order: free blocks of exactly `size` bytes, reported or not. */
  freeBlockCount(zone: GuestZone, size: number, maxBlock: number): number {
    const all = Extents.of([...this.#free.ranges(), ...this.#reported.ranges()]);
    return all.blocks(size, maxBlock, zone.range).filter((b) => b.length === size).length;
  }

  /** page_reporting_cycle takes blocks off the free lists while the host handles them. */
  isolate(range: Range): void {
    this.#take(range);
    this.#isolated.add(range.gpa, range.length);
  }

  /** page_reporting_drain: back to the free lists, marked reported when the report succeeded. */
  drain(range: Range, reported: boolean): void {
    this.#isolated.remove(range.gpa, range.length);
    (reported ? this.#reported : this.#free).add(range.gpa, range.length);
  }
}
