/**
 * The RamDiscardManager interface (include/exec/memory.h, 6.1+) as far as migration uses it: a
 * device that owns a RAMBlock's memory says which parts are populated. RAM migration never
 * reads or sends the rest (migration/ram.c ramblock_dirty_bitmap_clear_discarded_pages, 6.2+:
 * "even reading these pages for migration might result in undesired behavior"), and a postcopy
 * destination answers a fault there with a zero page instead of asking the source
 * (postcopy-ram.c postcopy_request_page).
 */
import { key } from '../core/keys.js';
import type { RamBlock } from '../machine/ram-block.js';
import type { QomObject } from '../qom/object.js';

/** A byte range of a RAMBlock. */
export interface BlockRange {
  readonly offset: number;
  readonly length: number;
}

export interface RamDiscardManager {
  /** The RAMBlock whose memory the device manages (its memdev's), once realized. */
  block(obj: QomObject): RamBlock | undefined;
  /** Populated ranges, sorted and disjoint, as byte offsets into the block (replay_populated). */
  populated(obj: QomObject): readonly BlockRange[];
}

export const RAM_DISCARD_MANAGER = key<RamDiscardManager>('ram-discard-manager');
