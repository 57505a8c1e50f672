/**
 * Sub Block Mode (linux.md §2.3/§2.4): memory is added and removed in Linux memory blocks and
 * plugged and unplugged in subblocks. One state per memory block, one bit per subblock, and the
 * plug and unplug walks of virtio_mem_sbm_plug_request() / virtio_mem_sbm_unplug_request():
 *
 * - plug fills partially plugged blocks first (online ones, then offline ones), then reuses
 *   unused blocks, then prepares new blocks upward from the start of the device region; a new
 *   block gets its first `count` subblocks plugged in one request before it is added to Linux;
 * - unplug walks each class of blocks from the highest address down: offline partial, offline,
 *   then online partial and online (5.14+: ZONE_MOVABLE before kernel zones within each), and
 *   within a block takes subblocks from the top, skipping those that are busy.
 */
import { gpaRange, type GpaRange } from '../ranges.js';
import type { Rc } from './errno.js';
import type { HotplugGeometry } from './geometry.js';
import type { Zone } from './hotplug-core.js';
import type { ModeOps } from './mode-ops.js';

type SbmGeometry = Extract<HotplugGeometry, { mode: 'sbm' }>;

/** enum virtio_mem_sbm_mb_state; before 5.14 ONLINE/ONLINE_PARTIAL did not name the zone. */
export type SbmBlockState = 'unused' | 'plugged' | 'offline' | 'offline-partial' | 'kernel' | 'kernel-partial' | 'movable' | 'movable-partial';

export interface SbmBlockInfo {
  readonly id: number;
  readonly state: SbmBlockState;
  /** Subblock indexes that are plugged, ascending. */
  readonly plugged: readonly number[];
}

type StateClass = readonly SbmBlockState[];

// 5.14 "virtio-mem: simplify high-level plug handling in Sub Block Mode" / "prioritize unplug from
// ZONE_MOVABLE in Sub Block Mode"; before, one ONLINE(_PARTIAL) class covered both zones.
const PLUG_ORDER_ZONE_AWARE: readonly StateClass[] = [['kernel-partial'], ['movable-partial'], ['offline-partial']];
const PLUG_ORDER_OLD: readonly StateClass[] = [['kernel-partial', 'movable-partial'], ['offline-partial']];
const UNPLUG_ORDER_ZONE_AWARE: readonly StateClass[] = [['offline-partial'], ['offline'], ['movable-partial'], ['kernel-partial'], ['movable'], ['kernel']];
const UNPLUG_ORDER_OLD: readonly StateClass[] = [['offline-partial'], ['offline'], ['kernel-partial', 'movable-partial'], ['kernel', 'movable']];

/** A count passed by reference, as the kernel's `uint64_t *nb_sb`. */
interface Remaining {
  n: number;
}

const isOnline = (s: SbmBlockState): boolean => s === 'kernel' || s === 'kernel-partial' || s === 'movable' || s === 'movable-partial';

export class SubBlockMode {
  readonly #states = new Map<number, SbmBlockState>();
  readonly #plugged = new Map<number, Uint8Array>();
  #nextMbId: number;
  #lastUsableMbId: number;

  constructor(
    readonly geometry: SbmGeometry,
    private readonly ops: ModeOps,
  ) {
    this.#nextMbId = geometry.firstMbId;
    this.#lastUsableMbId = geometry.firstMbId - 1;
  }

  setLastUsableId(id: number): void {
    this.#lastUsableMbId = id;
  }

  /** Whether the memory block belongs to the blocks this mode tracks. */
  owns(mbId: number): boolean {
    return mbId >= this.geometry.firstMbId && mbId < this.#nextMbId;
  }

  /** Memory blocks added to Linux and still offline: what 5.8-5.10 counted against the threshold. */
  offlineBlockCount(): number {
    return [...this.#states.values()].filter((s) => s === 'offline' || s === 'offline-partial').length;
  }

  plugRequest(diff: number): Rc {
    const nb: Remaining = { n: Math.floor(diff / this.geometry.sbSize) };
    if (nb.n === 0) return 'ok';
    for (const cls of this.ops.zoneAware ? PLUG_ORDER_ZONE_AWARE : PLUG_ORDER_OLD) {
      for (const mb of this.#ids('up')) {
        if (!cls.includes(this.#state(mb))) continue;
        const rc = this.#plugAnySb(mb, nb);
        if (rc !== 'ok' || nb.n === 0) return rc;
      }
    }
    for (const mb of this.#ids('up')) {
      if (this.#state(mb) !== 'unused') continue;
      if (!this.ops.couldAddMemory(this.geometry.memoryBlockSize)) return 'ENOSPC';
      const rc = this.#plugAndAddMb(mb, nb);
      if (rc !== 'ok' || nb.n === 0) return rc;
    }
    while (nb.n > 0) {
      if (!this.ops.couldAddMemory(this.geometry.memoryBlockSize)) return 'ENOSPC';
      if (this.#nextMbId > this.#lastUsableMbId) return 'ENOSPC';
      const mb = this.#nextMbId++;
      this.#states.set(mb, 'unused');
      this.#plugged.set(mb, new Uint8Array(this.geometry.sbsPerMb));
      const rc = this.#plugAndAddMb(mb, nb);
      if (rc !== 'ok') return rc;
    }
    return 'ok';
  }

  unplugRequest(diff: number): Rc {
    const nb: Remaining = { n: Math.floor(diff / this.geometry.sbSize) };
    if (nb.n === 0) return 'ok';
    const order = this.ops.zoneAware ? UNPLUG_ORDER_ZONE_AWARE : UNPLUG_ORDER_OLD;
    for (const [i, cls] of order.entries()) {
      for (const mb of this.#ids('down')) {
        if (!cls.includes(this.#state(mb))) continue;
        const rc = this.#unplugAnySb(mb, nb);
        if (rc !== 'ok' || nb.n === 0) return rc;
      }
      // The first two classes are the offline ones.
      if (!this.ops.unplugOnline && i === 1) return 'ok';
    }
    return nb.n > 0 ? 'EBUSY' : 'ok';
  }

  /** virtio_mem_cleanup_pending_mb(): unplug blocks left plugged but not added. */
  cleanupPending(): Rc {
    for (const mb of this.#ids('up')) {
      if (this.#state(mb) !== 'plugged') continue;
      const rc = this.#unplugAnySbRaw(mb, { n: this.geometry.sbsPerMb });
      if (rc !== 'ok') return rc;
      this.#states.set(mb, 'unused');
    }
    return 'ok';
  }

  // Memory notifier and online_page callback (virtio_mem_sbm_notify_*, virtio_mem_online_page).

  goingOnline(mb: number): boolean {
    const s = this.#state(mb);
    if (s === 'offline' || s === 'offline-partial') return true;
    this.ops.warnOnliningDenied();
    return false;
  }

  online(mb: number, zone: Zone): void {
    const partial = this.#state(mb) === 'offline-partial';
    this.#states.set(mb, partial ? (zone === 'kernel' ? 'kernel-partial' : 'movable-partial') : zone);
    // Plugged subblocks go to the buddy, unplugged ones stay PageOffline.
    for (const r of this.#pluggedRangesOf(mb)) this.ops.fakeOnline(r);
  }

  offline(mb: number): void {
    const s = this.#state(mb);
    this.#states.set(mb, s === 'kernel-partial' || s === 'movable-partial' ? 'offline-partial' : 'offline');
  }

  // Inspection.

  blocks(): SbmBlockInfo[] {
    return this.#ids('up').map((id) => {
      const bits = this.#plugged.get(id) ?? new Uint8Array(0);
      const plugged = [...bits.keys()].filter((i) => bits[i] === 1);
      return Object.freeze({ id, state: this.#state(id), plugged: Object.freeze(plugged) });
    });
  }

  pluggedRanges(): GpaRange[] {
    return this.#ids('up').flatMap((mb) => this.#pluggedRangesOf(mb));
  }

  // The plug side.

  /** virtio_mem_sbm_plug_and_add_mb(): plug the first subblocks of an unused block, then add it. */
  #plugAndAddMb(mb: number, nb: Remaining): Rc {
    const count = Math.min(nb.n, this.geometry.sbsPerMb);
    const rc = this.#plugSb(mb, 0, count);
    if (rc !== 'ok') return rc;
    // Marked offline before adding, so the notifiers find the block in the right state.
    this.#states.set(mb, count === this.geometry.sbsPerMb ? 'offline' : 'offline-partial');
    const added = this.ops.addMemory(this.#mbRange(mb));
    if (added !== 'ok') {
      const undo = this.#unplugSb(mb, 0, count);
      this.#states.set(mb, undo === 'ok' ? 'unused' : 'plugged');
      return added;
    }
    nb.n -= count;
    return 'ok';
  }

  /** virtio_mem_sbm_plug_any_sb(): plug runs of unplugged subblocks from the bottom of an added block. */
  #plugAnySb(mb: number, nb: Remaining): Rc {
    const oldState = this.#state(mb);
    const sbs = this.geometry.sbsPerMb;
    while (nb.n > 0) {
      const sb = this.#firstUnplugged(mb);
      if (sb >= sbs) break;
      let count = 1;
      while (count < nb.n && sb + count < sbs && !this.#isPlugged(mb, sb + count)) count++;
      const rc = this.#plugSb(mb, sb, count);
      if (rc !== 'ok') return rc;
      nb.n -= count;
      // Fake-online the pages if the memory block is online.
      if (oldState !== 'offline-partial') this.ops.fakeOnline(this.#sbRange(mb, sb, count));
    }
    if (this.#allPlugged(mb)) this.#states.set(mb, fullState(oldState));
    return 'ok';
  }

  #plugSb(mb: number, sb: number, count: number): Rc {
    const r = this.#sbRange(mb, sb, count);
    const rc = this.ops.requests.plug(r.start, r.length);
    if (rc === 'ok') this.#setBits(mb, sb, count, 1);
    return rc;
  }

  // The unplug side.

  #unplugAnySb(mb: number, nb: Remaining): Rc {
    const s = this.#state(mb);
    if (isOnline(s)) return this.#unplugAnySbOnline(mb, nb);
    if (s === 'offline' || s === 'offline-partial') return this.#unplugAnySbOffline(mb, nb);
    return 'EINVAL';
  }

  #unplugAnySbOffline(mb: number, nb: Remaining): Rc {
    const rc = this.#unplugAnySbRaw(mb, nb);
    // Some subblocks might have been unplugged even on failure.
    if (!this.#allPlugged(mb)) this.#states.set(mb, 'offline-partial');
    if (rc !== 'ok') return rc;
    if (this.#nonePlugged(mb)) {
      this.#states.set(mb, 'unused');
      // "Remove the block from Linux - this should never fail." (BUG_ON)
      this.ops.removeMemory(this.#mbRange(mb));
    }
    return 'ok';
  }

  /** virtio_mem_sbm_unplug_any_sb_raw(): runs of plugged subblocks from the top, one request each. */
  #unplugAnySbRaw(mb: number, nb: Remaining): Rc {
    let sb = this.geometry.sbsPerMb - 1;
    while (nb.n > 0) {
      while (sb >= 0 && !this.#isPlugged(mb, sb)) sb--;
      if (sb < 0) break;
      let count = 1;
      while (count < nb.n && sb > 0 && this.#isPlugged(mb, sb - 1)) {
        count++;
        sb--;
      }
      const rc = this.#unplugSb(mb, sb, count);
      if (rc !== 'ok') return rc;
      nb.n -= count;
      sb--;
    }
    return 'ok';
  }

  /** virtio_mem_sbm_unplug_any_sb_online(): the whole block at once if possible, else single subblocks. */
  #unplugAnySbOnline(mb: number, nb: Remaining): Rc {
    const sbs = this.geometry.sbsPerMb;
    let whole = false;
    if (nb.n >= sbs && this.#allPlugged(mb)) {
      const rc = this.#unplugSbOnline(mb, 0, sbs);
      if (rc === 'ok') {
        nb.n -= sbs;
        whole = true;
      } else if (rc !== 'EBUSY') {
        return rc;
      }
    }
    if (!whole) {
      for (let sb = sbs - 1; sb >= 0 && nb.n > 0; sb--) {
        while (sb >= 0 && !this.#isPlugged(mb, sb)) sb--;
        if (sb < 0) break;
        const rc = this.#unplugSbOnline(mb, sb, 1);
        if (rc === 'EBUSY') continue;
        if (rc !== 'ok') return rc;
        nb.n -= 1;
      }
    }
    // Once all subblocks are unplugged, offline and remove the block; failing is not critical.
    if (this.#nonePlugged(mb) && this.ops.offlineAndRemoveMemory(this.#mbRange(mb)) === 'ok') {
      this.#states.set(mb, 'unused');
    }
    return 'ok';
  }

  /** virtio_mem_sbm_unplug_sb_online(): fake-offline, unplug, or give the pages back. */
  #unplugSbOnline(mb: number, sb: number, count: number): Rc {
    const range = this.#sbRange(mb, sb, count);
    const oldState = this.#state(mb);
    const taken = this.ops.fakeOffline(range);
    if (taken !== 'ok') return taken;
    const rc = this.#unplugSb(mb, sb, count);
    if (rc !== 'ok') {
      this.ops.fakeOnline(range);
      return rc;
    }
    if (oldState === 'kernel') this.#states.set(mb, 'kernel-partial');
    if (oldState === 'movable') this.#states.set(mb, 'movable-partial');
    return 'ok';
  }

  #unplugSb(mb: number, sb: number, count: number): Rc {
    const r = this.#sbRange(mb, sb, count);
    const rc = this.ops.requests.unplug(r.start, r.length);
    if (rc === 'ok') this.#setBits(mb, sb, count, 0);
    return rc;
  }

  // Bookkeeping.

  #ids(direction: 'up' | 'down'): number[] {
    const ids = Array.from({ length: this.#nextMbId - this.geometry.firstMbId }, (_, i) => this.geometry.firstMbId + i);
    return direction === 'up' ? ids : ids.reverse();
  }

  #state(mb: number): SbmBlockState {
    return this.#states.get(mb) ?? 'unused';
  }

  /** Every block in [firstMbId, nextMbId) got its bitmap when it was prepared. */
  #bits(mb: number): Uint8Array {
    return this.#plugged.get(mb)!;
  }

  #isPlugged(mb: number, sb: number): boolean {
    return this.#bits(mb)[sb] === 1;
  }

  #setBits(mb: number, sb: number, count: number, value: 0 | 1): void {
    this.#bits(mb).fill(value, sb, sb + count);
  }

  #firstUnplugged(mb: number): number {
    const i = this.#bits(mb).indexOf(0);
    return i < 0 ? this.geometry.sbsPerMb : i;
  }

  #allPlugged(mb: number): boolean {
    return this.#bits(mb).every((b) => b === 1);
  }

  #nonePlugged(mb: number): boolean {
    return this.#bits(mb).every((b) => b === 0);
  }

  #mbRange(mb: number): GpaRange {
    return gpaRange(mb * this.geometry.memoryBlockSize, this.geometry.memoryBlockSize);
  }

  #sbRange(mb: number, sb: number, count: number): GpaRange {
    return gpaRange(mb * this.geometry.memoryBlockSize + sb * this.geometry.sbSize, count * this.geometry.sbSize);
  }

  #pluggedRangesOf(mb: number): GpaRange[] {
    const bits = this.#plugged.get(mb);
    if (bits === undefined) return [];
    const out: GpaRange[] = [];
    let sb = 0;
    while (sb < bits.length) {
      if (bits[sb] !== 1) {
        sb++;
        continue;
      }
      let end = sb;
      while (end < bits.length && bits[end] === 1) end++;
      out.push(this.#sbRange(mb, sb, end - sb));
      sb = end;
    }
    return out;
  }
}

/** The fully plugged state of a partially plugged one (the kernel's `old_state - 1`). */
function fullState(partial: SbmBlockState): SbmBlockState {
  switch (partial) {
    case 'kernel-partial':
      return 'kernel';
    case 'movable-partial':
      return 'movable';
    case 'offline-partial':
      return 'offline';
    default:
      return partial;
  }
}
