/**
 * What the balloon does with each queue element and host request, as pure functions of its state
 * (hw/virtio/virtio-balloon.c 7.2, b67b00e6b4; differences by release are named where they
 * apply). They mutate the device state and return the effects for the runtime to carry out: host
 * discards, free page hints for migration, config notifications, BALLOON_CHANGE.
 */
import { compareReleases } from '../../src/core/release.js';
import type { RamBlock } from '../../src/machine/ram-block.js';
import { iovSize, iovToBuf, type VirtqueueElement } from '../../src/virtio/virtqueue.js';
import { decodeConfig } from './config.js';
import { VIRTIO_BALLOON_F_PAGE_POISON } from './features.js';
import type { GuestPagesRange } from './port.js';
import type { RamLookup } from '../../src/machine/ram-map.js';
import { FREE_PAGE_HINT_CMD_ID_MIN, type BalloonState } from './state.js';
import { decodeStats } from './stats.js';
import { unsetStats } from './state.js';
import { readU32, readU32s, type WireOrder } from './wire.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';

/** VIRTIO_BALLOON_PFN_SHIFT: balloon pages are 4 KiB whatever the guest's page size. */
export const BALLOON_PAGE_SIZE = 4096;

export type BalloonEffect =
  /** ram_block_discard_range(block, offset, length). */
  | { readonly kind: 'discard'; readonly block: RamBlock; readonly offset: number; readonly length: number }
  /** warn_report_once for a balloon page inside a larger host page. */
  | { readonly kind: 'hugepage-warning' }
  /** qemu_guest_free_page_hint: migration may skip this range. */
  | { readonly kind: 'free-page-hint'; readonly block: RamBlock; readonly offset: number; readonly length: number }
  /** qapi_event_send_balloon_change with the logical VM size in bytes. */
  | { readonly kind: 'balloon-change'; readonly actual: number }
  | { readonly kind: 'notify-config' }
  | { readonly kind: 'virtio-error'; readonly message: string };

/** What handling a queue element needs from the world. */
export interface QueueContext {
  readonly lookup: RamLookup;
  /** virtio_balloon_inhibited(): discards disabled, incoming postcopy or a background snapshot. */
  readonly inhibited: boolean;
  readonly order: WireOrder;
}

/** The u32 PFNs of an element, read four bytes at a time while four bytes remain. */
export function decodePfns(element: VirtqueueElement, order: WireOrder): Uint32Array {
  return readU32s(iovToBuf(element.out, 0, iovSize(element.out)), order);
}

/** Discards collected in one element, merged where they touch: the host sees the same end state. */
class DiscardRun {
  readonly effects: BalloonEffect[] = [];
  #block: RamBlock | undefined;
  #start = 0;
  #end = 0;

  add(block: RamBlock, offset: number, length: number): void {
    if (block === this.#block && offset === this.#end) {
      this.#end += length;
      return;
    }
    this.flush();
    this.#block = block;
    this.#start = offset;
    this.#end = offset + length;
  }

  flush(): void {
    if (this.#block) this.effects.push({ kind: 'discard', block: this.#block, offset: this.#start, length: this.#end - this.#start });
    this.#block = undefined;
  }
}

/**
 * virtio_balloon_handle_output for one element of the inflate or deflate queue. A PFN outside RAM
 * is skipped. Inflating a page of a 4 KiB RAMBlock discards it; in a RAMBlock of larger pages
 * (hugetlb) QEMU warns once and discards a host page only when every 4 KiB piece of it arrived in
 * this same element (the PartiallyBalloonedPage is per element and dropped on a switch to another
 * host page). Deflating only advises MADV_WILLNEED, which costs the host nothing. When inhibited,
 * the element is still acknowledged but nothing happens to host memory.
 */
export function handleBalloonElement(queue: 'inflate' | 'deflate', element: VirtqueueElement, ctx: QueueContext): BalloonEffect[] {
  if (queue === 'deflate' || ctx.inhibited) return [];
  const run = new DiscardRun();
  const out: BalloonEffect[] = [];
  let partial: { block: RamBlock; base: number; seen: Set<number> } | undefined;
  const pfns = decodePfns(element, ctx.order);
  // A driver fills an element from few free ranges, so PFNs mostly come in ascending runs: the
  // RAM lookup is made once per run and per piece of RAM, the per-page work only in hugetlb RAM.
  for (let first = 0; first < pfns.length;) {
    let next = first + 1;
    while (next < pfns.length && pfns[next] === pfns[next - 1]! + 1) next++;
    let gpa = pfns[first]! * BALLOON_PAGE_SIZE;
    const runEnd = pfns[next - 1]! * BALLOON_PAGE_SIZE + BALLOON_PAGE_SIZE;
    first = next;
    while (gpa < runEnd) {
      const piece = ctx.lookup.pieceAt(gpa);
      if (!piece) {
        gpa += BALLOON_PAGE_SIZE;
        continue;
      }
      const { block } = piece;
      const upTo = Math.min(runEnd, piece.gpa + piece.length);
      const offset = piece.offset + (gpa - piece.gpa);
      const pageSize = block.pageSize;
      if (pageSize === BALLOON_PAGE_SIZE) {
        run.add(block, offset, upTo - gpa);
        gpa = upTo;
        continue;
      }
      if (!out.some((e) => e.kind === 'hugepage-warning')) out.push({ kind: 'hugepage-warning' });
      for (let at = offset; at < offset + (upTo - gpa); at += BALLOON_PAGE_SIZE) {
        const base = Math.floor(at / pageSize) * pageSize;
        if (partial && (partial.block !== block || partial.base !== base)) partial = undefined;
        partial ??= { block, base, seen: new Set() };
        partial.seen.add((at - base) / BALLOON_PAGE_SIZE);
        if (partial.seen.size === pageSize / BALLOON_PAGE_SIZE) {
          run.add(block, base, pageSize);
          partial = undefined;
        }
      }
      gpa = upTo;
    }
  }
  run.flush();
  return [...out, ...run.effects];
}

/**
 * virtio_balloon_handle_report for one element: each reported range that is RAM, aligned to its
 * RAMBlock's page size and inside it is discarded, unless the balloon is inhibited or the guest
 * poisons freed pages with a non-zero value (discarded pages would read back as zero).
 */
export function handleReport(state: BalloonState, ranges: readonly GuestPagesRange[], ctx: QueueContext): BalloonEffect[] {
  if (ctx.inhibited || state.poisonVal !== 0) return [];
  const out: BalloonEffect[] = [];
  for (const range of ranges) {
    for (const piece of ctx.lookup.pieces(range.gpa, range.length)) {
      const { block, offset, length } = piece;
      if (offset % block.pageSize !== 0 || length % block.pageSize !== 0 || offset + length > block.size) continue;
      out.push({ kind: 'discard', block, offset, length });
    }
  }
  return out;
}

/**
 * get_free_page_hints for one element: an out-buffer carries a command id (a short one is a
 * protocol violation), which starts hinting when it answers the current request and stops a
 * started one otherwise; in-buffers are hinted free pages, taken only while hinting is started.
 * Before 6.2 (44f28df247) only the element's first in-buffer was hinted.
 */
export function handleFreePageElement(state: BalloonState, element: VirtqueueElement, ranges: readonly GuestPagesRange[], ctx: QueueContext): BalloonEffect[] {
  if (element.out.length > 0) {
    const id = iovToBuf(element.out, 0, 4);
    if (id.length !== 4) return [{ kind: 'virtio-error', message: 'received an incorrect cmd id' }];
    const cmdId = readU32(id, 0, ctx.order);
    if (state.freePageHintStatus === 'requested' && cmdId === state.freePageHintCmdId) state.freePageHintStatus = 'start';
    else if (state.freePageHintStatus === 'start') state.freePageHintStatus = 'stop';
  }
  if (ranges.length === 0 || state.freePageHintStatus !== 'start') return [];
  const hinted = compareReleases(state.setup.release, { major: 6, minor: 2 }) >= 0 ? ranges : ranges.slice(0, 1);
  return hinted.flatMap((r) =>
    ctx.lookup.pieces(r.gpa, r.length).map((p): BalloonEffect => ({ kind: 'free-page-hint', block: p.block, offset: p.offset, length: p.length })),
  );
}

/**
 * virtio_balloon_receive_stats: a new buffer replaces the stats (reset first, so tags an older
 * guest no longer sends read as unset); tags QEMU does not know are ignored. Returns whether an
 * already held buffer had to be given back first (a driver that breaks the protocol).
 */
export function receiveStats(state: BalloonState, element: VirtqueueElement, order: WireOrder, nowSeconds: number): { readonly releasedPrevious: boolean } {
  const releasedPrevious = state.statsElementHeld;
  state.statsElementHeld = true;
  state.stats = unsetStats(state.setup.release);
  const bytes = iovToBuf(element.out, 0, iovSize(element.out));
  for (const { tag, value } of decodeStats(bytes, order)) if (tag < state.stats.length) state.stats[tag] = value;
  state.statsLastUpdate = nowSeconds;
  return { releasedPrevious };
}

/**
 * virtio_balloon_to_target: the balloon should hold what separates `target` from the VM's RAM.
 * The target is clamped to the RAM size, and a target of 0 is ignored.
 */
export function toTarget(state: BalloonState, target: number, vmRamSize: number): BalloonEffect[] {
  const clamped = Math.min(target, vmRamSize);
  if (clamped === 0) return [];
  state.numPages = Math.floor((vmRamSize - clamped) / BALLOON_PAGE_SIZE);
  return [{ kind: 'notify-config' }];
}

/** virtio_balloon_stat: the logical VM size query-balloon reports. */
export const balloonActualBytes = (state: BalloonState, vmRamSize: number): number => vmRamSize - state.actual * BALLOON_PAGE_SIZE;

/**
 * virtio_balloon_set_config after a driver's config write: `actual` changes raise BALLOON_CHANGE;
 * `poison_val` is taken only when PAGE_POISON was negotiated, and is 0 otherwise.
 */
export function setConfig(state: BalloonState, image: Uint8Array, guestFeatures: FeatureSet, vmRamSize: number): BalloonEffect[] {
  const config = decodeConfig(image);
  const old = state.actual;
  state.actual = config.actual;
  state.poisonVal = guestFeatures.has(VIRTIO_BALLOON_F_PAGE_POISON) ? config.poisonVal : 0;
  return state.actual === old ? [] : [{ kind: 'balloon-change', actual: balloonActualBytes(state, vmRamSize) }];
}

/** The precopy notifier reasons (include/migration/misc.h PrecopyNotifyReason). */
export type PrecopyReason = 'setup' | 'before-bitmap-sync' | 'after-bitmap-sync' | 'complete' | 'cleanup';

/** What the notifier looks at besides the device. */
export interface PrecopyContext {
  readonly hintNegotiated: boolean;
  readonly vmRunning: boolean;
  /** migrate_postcopy_ram(): the postcopy-ram capability is set. */
  readonly postcopyRam: boolean;
}

function hintStop(state: BalloonState): BalloonEffect[] {
  if (state.freePageHintStatus === 'stop') return [];
  state.freePageHintStatus = 'stop';
  return [{ kind: 'notify-config' }];
}

function hintDone(state: BalloonState): BalloonEffect[] {
  if (state.freePageHintStatus === 'done') return [];
  state.freePageHintStatus = 'done';
  return [{ kind: 'notify-config' }];
}

/**
 * virtio_balloon_free_page_hint_notify: stop before each dirty-bitmap sync, ask for a new round
 * (a new command id, wrapping back to 0x80000000) after it while the VM runs, and tell the guest
 * it is done once the VM stopped or migration ends. 6.2 (44f28df247) stopped hinting altogether
 * when postcopy is possible: hinted pages would never be sent and a postcopy destination would
 * wait for them until the end.
 */
export function precopyNotify(state: BalloonState, reason: PrecopyReason, ctx: PrecopyContext): BalloonEffect[] {
  if (!ctx.hintNegotiated) return [];
  if (ctx.postcopyRam && compareReleases(state.setup.release, { major: 6, minor: 2 }) >= 0) return [];
  switch (reason) {
    case 'before-bitmap-sync':
      return hintStop(state);
    case 'after-bitmap-sync':
      if (!ctx.vmRunning) return hintDone(state);
      state.freePageHintCmdId = state.freePageHintCmdId === 0xffffffff ? FREE_PAGE_HINT_CMD_ID_MIN : state.freePageHintCmdId + 1;
      state.freePageHintStatus = 'requested';
      return [{ kind: 'notify-config' }];
    case 'cleanup':
      return hintDone(state);
    case 'setup':
    case 'complete':
      return [];
    default: {
      const exhaustive: never = reason;
      return exhaustive;
    }
  }
}

/** The stop a device reset does to hinting (virtio_balloon_device_reset). */
export const resetHinting = (state: BalloonState): BalloonEffect[] => hintStop(state);
