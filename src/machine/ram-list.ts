/**
 * QEMU's ram_list (system/physmem.c, the same from 5.1 to 11.1): every RAMBlock gets a range of
 * ram_addr_t offsets when it is created (find_ram_offset), and the list is kept sorted from the
 * largest max_length to the smallest (ram_block_add), which is the order `info ramblock` prints
 * and migration walks.
 */

/** A RAMBlock as ram_block_add sees it. */
export interface RamListEntry {
  /** Empty for a backend no device or machine has registered yet. */
  readonly idstr: string;
  readonly pageSize: number;
  readonly usedLength: number;
  readonly maxLength: number;
  /** MemoryRegion::readonly: ROMs, and file backends mapped readonly=on. */
  readonly readOnly: boolean;
  /** The host address the model mapped it at; undefined for blocks the host model does not map (firmware). */
  readonly hva: number | undefined;
}

export interface PlacedRamBlock extends RamListEntry {
  readonly offset: number;
}

/**
 * find_ram_offset aligns each candidate start to one long of the dirty bitmap: BITS_PER_LONG
 * pages of TARGET_PAGE_SIZE (64 x 4 KiB on both modelled targets and their 64-bit hosts).
 */
const OFFSET_ALIGN = 64 * 4096;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** RAM_ADDR_MAX: the end of the ram_addr_t space, where the gap after the highest block ends. */
const RAM_ADDR_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The list after creating `created` in that order, with no block freed in between. Each block
 * takes the smallest gap that fits after an existing block (the first such in list order),
 * which with no holes is the end of the highest block.
 */
export function ramList(created: readonly RamListEntry[]): readonly PlacedRamBlock[] {
  const list: PlacedRamBlock[] = [];
  for (const entry of created) {
    const placed = { ...entry, offset: findRamOffset(list, entry.maxLength) };
    // Keep the list sorted from biggest to smallest: before the first smaller block, so after equal ones.
    const at = list.findIndex((b) => b.maxLength < placed.maxLength);
    list.splice(at === -1 ? list.length : at, 0, placed);
  }
  return list;
}

function findRamOffset(list: readonly PlacedRamBlock[], size: number): number {
  if (list.length === 0) return 0;
  let offset = RAM_ADDR_MAX;
  let minGap = RAM_ADDR_MAX;
  for (const block of list) {
    const candidate = roundUp(block.offset + block.maxLength, OFFSET_ALIGN);
    const next = Math.min(RAM_ADDR_MAX, ...list.filter((b) => b.offset >= candidate).map((b) => b.offset));
    if (next - candidate >= size && next - candidate < minGap) {
      offset = candidate;
      minGap = next - candidate;
    }
  }
  // The gap after the highest block always fits.
  return offset;
}
