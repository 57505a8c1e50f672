/**
 * Big Block Mode (5.11+, linux.md §2.3/§2.4): a big block spans one or more Linux memory blocks
 * and is plugged, added, removed and unplugged whole. Plugging reuses unused big blocks first and
 * then prepares new ones upward from the start of the device region; unplugging walks the added
 * big blocks from the highest address down in passes: completely offline ones, then (5.14+) those
 * only in ZONE_MOVABLE, then any. An online big block is first fake-offlined section by section
 * and fails with -EBUSY when a page is in use.
 */
import { gpaRange, type GpaRange } from '../ranges.js';
import type { Rc } from './errno.js';
import type { HotplugGeometry } from './geometry.js';
import type { ModeOps } from './mode-ops.js';

type BbmGeometry = Extract<HotplugGeometry, { mode: 'bbm' }>;

/** enum virtio_mem_bbm_bb_state. */
export type BbmBlockState = 'unused' | 'plugged' | 'added' | 'fake-offline';

export interface BbmBlockInfo {
  readonly id: number;
  readonly state: BbmBlockState;
}

type UnplugPass = 'offline' | 'movable' | 'any';
// 5.14 "virtio-mem: prioritize unplug from ZONE_MOVABLE in Big Block Mode" added the middle pass.
const PASSES_ZONE_AWARE: readonly UnplugPass[] = ['offline', 'movable', 'any'];
const PASSES_OLD: readonly UnplugPass[] = ['offline', 'any'];

export class BigBlockMode {
  readonly #states = new Map<number, BbmBlockState>();
  #nextBbId: number;
  #lastUsableBbId: number;

  constructor(
    readonly geometry: BbmGeometry,
    private readonly ops: ModeOps,
  ) {
    this.#nextBbId = geometry.firstBbId;
    this.#lastUsableBbId = geometry.firstBbId - 1;
  }

  setLastUsableId(id: number): void {
    this.#lastUsableBbId = id;
  }

  /** Whether the memory block lies in a big block this mode tracks. */
  owns(mbId: number): boolean {
    const bb = this.#bbOfMb(mbId);
    return bb >= this.geometry.firstBbId && bb < this.#nextBbId;
  }

  plugRequest(diff: number): Rc {
    let nb = Math.floor(diff / this.geometry.bbSize);
    if (nb === 0) return 'ok';
    for (const bb of this.#ids('up')) {
      if (this.#state(bb) !== 'unused') continue;
      if (!this.ops.couldAddMemory(this.geometry.bbSize)) return 'ENOSPC';
      const rc = this.#plugAndAddBb(bb);
      if (rc === 'ok') nb--;
      if (rc !== 'ok' || nb === 0) return rc;
    }
    while (nb > 0) {
      if (!this.ops.couldAddMemory(this.geometry.bbSize)) return 'ENOSPC';
      if (this.#nextBbId > this.#lastUsableBbId) return 'ENOSPC';
      const bb = this.#nextBbId++;
      this.#states.set(bb, 'unused');
      const rc = this.#plugAndAddBb(bb);
      if (rc !== 'ok') return rc;
      nb--;
    }
    return 'ok';
  }

  unplugRequest(diff: number): Rc {
    let nb = Math.floor(diff / this.geometry.bbSize);
    if (nb === 0) return 'ok';
    for (const pass of this.ops.zoneAware ? PASSES_ZONE_AWARE : PASSES_OLD) {
      for (const bb of this.#ids('down')) {
        if (this.#state(bb) !== 'added') continue;
        if (pass === 'offline' && !this.#isOffline(bb)) continue;
        if (pass === 'movable' && !this.#isMovable(bb)) continue;
        const rc = this.#offlineRemoveAndUnplugBb(bb);
        if (rc === 'EBUSY') continue;
        if (rc === 'ok') nb--;
        if (rc !== 'ok' || nb === 0) return rc;
      }
      if (pass === 'offline' && !this.ops.unplugOnline) return 'ok';
    }
    return nb > 0 ? 'EBUSY' : 'ok';
  }

  /** virtio_mem_cleanup_pending_mb(): unplug big blocks that were removed but not unplugged. */
  cleanupPending(): Rc {
    for (const bb of this.#ids('up')) {
      if (this.#state(bb) !== 'plugged') continue;
      const r = this.#bbRange(bb);
      const rc = this.ops.requests.unplug(r.start, r.length);
      if (rc !== 'ok') return rc;
      this.#states.set(bb, 'unused');
    }
    return 'ok';
  }

  /**
   * The online_page callback for BBM: pages of a big block being unplugged stay fake-offline,
   * others go to the buddy. BBM has no say in onlining and nothing to do on offlining.
   */
  online(mbId: number): void {
    if (this.#state(this.#bbOfMb(mbId)) !== 'fake-offline') this.ops.fakeOnline(this.#mbRange(mbId));
  }

  blocks(): BbmBlockInfo[] {
    return this.#ids('up').map((id) => Object.freeze({ id, state: this.#state(id) }));
  }

  pluggedRanges(): GpaRange[] {
    return this.#ids('up')
      .filter((bb) => this.#state(bb) !== 'unused')
      .map((bb) => this.#bbRange(bb));
  }

  /** virtio_mem_bbm_plug_and_add_bb(). */
  #plugAndAddBb(bb: number): Rc {
    const r = this.#bbRange(bb);
    const rc = this.ops.requests.plug(r.start, r.length);
    if (rc !== 'ok') return rc;
    this.#states.set(bb, 'added');
    const added = this.ops.addMemory(r);
    if (added !== 'ok') {
      // "Retry from the main loop" when the unplug fails too.
      this.#states.set(bb, this.ops.requests.unplug(r.start, r.length) === 'ok' ? 'unused' : 'plugged');
      return added;
    }
    return 'ok';
  }

  /** virtio_mem_bbm_offline_remove_and_unplug_bb(). */
  #offlineRemoveAndUnplugBb(bb: number): Rc {
    this.#states.set(bb, 'fake-offline');
    const taken: GpaRange[] = [];
    for (const mb of this.#mbIds(bb)) {
      if (this.ops.memoryBlockState(mb)?.kind !== 'online') continue;
      const r = this.#mbRange(mb);
      const rc = this.ops.fakeOffline(r);
      if (rc !== 'ok') return this.#rollback(bb, taken, rc);
      taken.push(r);
    }
    const removed = this.ops.offlineAndRemoveMemory(this.#bbRange(bb));
    if (removed !== 'ok') return this.#rollback(bb, taken, removed);
    const r = this.#bbRange(bb);
    const rc = this.ops.requests.unplug(r.start, r.length);
    this.#states.set(bb, rc === 'ok' ? 'unused' : 'plugged');
    return rc;
  }

  #rollback(bb: number, taken: readonly GpaRange[], rc: Rc): Rc {
    for (const r of taken) this.ops.fakeOnline(r);
    this.#states.set(bb, 'added');
    return rc;
  }

  #isOffline(bb: number): boolean {
    return this.#mbIds(bb).every((mb) => this.ops.memoryBlockState(mb)?.kind !== 'online');
  }

  #isMovable(bb: number): boolean {
    return this.#mbIds(bb).every((mb) => {
      const s = this.ops.memoryBlockState(mb);
      return s?.kind !== 'online' || s.zone === 'movable';
    });
  }

  #ids(direction: 'up' | 'down'): number[] {
    const ids = Array.from({ length: this.#nextBbId - this.geometry.firstBbId }, (_, i) => this.geometry.firstBbId + i);
    return direction === 'up' ? ids : ids.reverse();
  }

  #state(bb: number): BbmBlockState {
    return this.#states.get(bb) ?? 'unused';
  }

  #bbOfMb(mbId: number): number {
    return Math.floor((mbId * this.geometry.memoryBlockSize) / this.geometry.bbSize);
  }

  #mbIds(bb: number): number[] {
    const per = this.geometry.bbSize / this.geometry.memoryBlockSize;
    return Array.from({ length: per }, (_, i) => (bb * this.geometry.bbSize) / this.geometry.memoryBlockSize + i);
  }

  #bbRange(bb: number): GpaRange {
    return gpaRange(bb * this.geometry.bbSize, this.geometry.bbSize);
  }

  #mbRange(mb: number): GpaRange {
    return gpaRange(mb * this.geometry.memoryBlockSize, this.geometry.memoryBlockSize);
  }
}
