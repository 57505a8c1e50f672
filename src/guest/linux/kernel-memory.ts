/**
 * The guest kernel's own allocations that memory hotplug causes, and so what hotplug costs the
 * host although the guest has not used the new memory yet:
 *
 * - the memmap of every memory block added: struct page, 64 bytes per 4 KiB page (2 MiB per
 *   128 MiB block), allocated by sparse_add_section() -> vmemmap_populate() and written when the
 *   section is initialised. virtio-mem adds memory without MHP_MEMMAP_ON_MEMORY, so the memmap
 *   never lives in the block itself, whatever memory_hotplug.memmap_on_memory says: it comes
 *   from the node's highest zone with free memory, i.e. hotplugged memory onlined to a kernel
 *   zone (ZONE_NORMAL, preferred to boot RAM's ZONE_DMA32) when there is some, boot RAM
 *   otherwise. ZONE_MOVABLE never holds it. x86_64 maps the vmemmap with PMDs
 *   (vmemmap_populate_hugepages), so each block's memmap is one order-9 allocation, never
 *   served from memory freed page by page late in boot: observed on Linux 7.2 under QEMU 11.1,
 *   512 MiB plugged into ZONE_MOVABLE adds 8 MiB to boot RAM's RSS (and 2 MiB in the plugged
 *   memory, the init script's own pages, not modelled) while the 12 MiB 7.2 frees late in boot
 *   stays free and resident; 6.1 and 6.12 have no such memory left free after boot.
 * - the first unmovable and the first reclaimable allocation into kernel-zone memory that was
 *   just onlined: its pageblocks are all MIGRATE_MOVABLE, so for each of the two migratetypes
 *   the allocator's fallback claims the largest free buddy (MAX_ORDER-1 pages: 4 MiB) and fills
 *   it from its start (mm/page_alloc.c steal_suitable_fallback(), try_to_claim_block() from
 *   6.15). Slab, page tables, dentries and inodes sit in the first pageblock of each, so
 *   alloc_contig_range() cannot isolate those pageblocks and virtio-mem cannot unplug the
 *   subblocks that hold them. With memhp_default_state=online, real guests keep two subblocks
 *   plugged after requested-size 0: 8 MiB on 5.10 (4 MiB subblocks), 4 MiB on 6.1, 6.12 and
 *   7.2 (2 MiB subblocks) (test/conformance/guest/model-vs-guest.test.ts).
 *
 * Freed memmap goes back to the guest's allocator; the host keeps it resident.
 */
import type { GuestMemoryPort } from '../memory-port.js';
import type { GuestArchFacts } from './virtio-mem/rules.js';
import type { GuestRam } from './guest-ram.js';
import { gpaRange, type GpaRange } from './ranges.js';

/** sizeof(struct page) on 64-bit builds without debug options. */
export const STRUCT_PAGE_BYTES = 64;
const GUEST_PAGE = 4096;
/** MIGRATE_UNMOVABLE and MIGRATE_RECLAIMABLE: each falls back to movable pageblocks on its own. */
const CLAIMING_MIGRATETYPES = 2;
/** Content tag of kernel data (memmap, slab), so a migration can check it arrived. */
const KERNEL_DATA_TAG = 0x6b;

export const memmapBytes = (ramBytes: number): number => (ramBytes / GUEST_PAGE) * STRUCT_PAGE_BYTES;

export class KernelMemory {
  readonly #memmap = new Map<number, GpaRange>();
  /** The pageblocks the claims pinned, while their block is online. */
  #pinned: GpaRange[] = [];

  constructor(
    private readonly arch: GuestArchFacts,
    private readonly ram: GuestRam,
    private readonly memory: GuestMemoryPort,
    /** Online kernel-zone hotplugged memory, lowest address first. */
    private readonly kernelZoneRanges: () => readonly GpaRange[],
  ) {}

  /** A memory block was added: its memmap is allocated and initialised. */
  blockAdded(mbId: number, block: GpaRange): void {
    const bytes = memmapBytes(block.length);
    const at = this.#lowestFree(this.kernelZoneRanges(), bytes) ?? this.#highestFree(this.ram.bootRam(), bytes);
    if (at === undefined) return;
    this.#take(at);
    this.#memmap.set(mbId, at);
  }

  /** A memory block was removed: its memmap goes back to the allocator. */
  blockRemoved(mbId: number): void {
    const at = this.#memmap.get(mbId);
    if (at === undefined) return;
    this.ram.markFree(at);
    this.#memmap.delete(mbId);
  }

  /** A block came online in a kernel zone: with no claims left in kernel-zone memory, it takes them. */
  kernelBlockOnline(block: GpaRange): void {
    const online = this.kernelZoneRanges();
    this.#pinned = this.#pinned.filter((p) => online.some((r) => r.start <= p.start && p.start < r.start + r.length));
    if (this.#pinned.length > 0) return;
    for (let i = 0; i < CLAIMING_MIGRATETYPES; i++) {
      const buddy = this.#lowestFree([block], this.arch.maxOrderSize);
      if (buddy === undefined) return;
      // The rest of the buddy stays free: unmovable allocations (a memmap) may still take it.
      const used = gpaRange(buddy.start, this.arch.pageblockSize);
      this.#take(used);
      this.#pinned.push(used);
    }
  }

  #take(range: GpaRange): void {
    this.ram.markInUse(range);
    this.memory.write(range.start, range.length, KERNEL_DATA_TAG);
  }

  /** Buddy allocations are naturally aligned to their size. */
  #lowestFree(within: readonly GpaRange[], bytes: number): GpaRange | undefined {
    for (const r of within) {
      for (let at = Math.ceil(r.start / bytes) * bytes; at + bytes <= r.start + r.length; at += bytes) {
        const candidate = gpaRange(at, bytes);
        if (this.ram.isFreeBlock(candidate)) return candidate;
      }
    }
    return undefined;
  }

  /** Boot RAM hands out its highest free memory first (the memmap of boot RAM sits at its top). */
  #highestFree(within: readonly GpaRange[], bytes: number): GpaRange | undefined {
    for (const r of [...within].reverse()) {
      for (let at = Math.floor((r.start + r.length - bytes) / bytes) * bytes; at >= r.start; at -= bytes) {
        const candidate = gpaRange(at, bytes);
        if (this.ram.isFreeBlock(candidate)) return candidate;
      }
    }
    return undefined;
  }
}
