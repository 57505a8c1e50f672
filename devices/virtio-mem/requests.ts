/**
 * Request handling (hw/virtio/virtio-mem.c virtio_mem_handle_request and its helpers): range
 * checks against the usable region, NACK past requested-size, ERROR on a block in the wrong
 * state, BUSY while migration forbids changes. The device answers and lists the host work to do;
 * it never touches host memory itself.
 */
import { compareReleases } from '../../src/core/release.js';
import type { MemRangeRequest, MemRequest, MemResponse } from './request.js';
import { pluggedSize, type VirtioMemState } from './state.js';
import { resizeUsableRegion } from './usable-region.js';

/** Host work a request causes, as offsets into the memdev's RAMBlock. */
export type VirtioMemEffect =
  /** ram_block_discard_range: give the memory back (unplug, unplug-all, reset). */
  | { readonly kind: 'discard'; readonly offset: number; readonly length: number }
  /** qemu_prealloc_mem on plug with prealloc=on. */
  | { readonly kind: 'populate'; readonly offset: number; readonly length: number }
  /** virtio_mem_notify_plug: RamDiscardListeners (VFIO) map the plugged blocks, after any preallocation. */
  | { readonly kind: 'plugged'; readonly offset: number; readonly length: number }
  /** The size-change notifier (the proxy turns it into MEMORY_DEVICE_SIZE_CHANGE). */
  | { readonly kind: 'size-changed'; readonly size: number };

/** What the device needs to know of the world to answer: is a migration forbidding changes? */
export interface RequestContext {
  /** migration_is_running() || migration_in_incoming_postcopy() (virtio_mem_is_busy). */
  readonly busy: boolean;
}

export interface RequestResult {
  readonly response: MemResponse;
  readonly effects: readonly VirtioMemEffect[];
}

const answer = (response: MemResponse, effects: readonly VirtioMemEffect[] = []): RequestResult => ({ response, effects });

/** virtio_mem_valid_range: aligned, non-empty, inside the usable region. */
function blockRange(state: VirtioMemState, gpa: bigint, nbBlocks: number): { first: number; count: number } | undefined {
  const { addr, blockSize } = state.setup;
  const size = BigInt(nbBlocks) * BigInt(blockSize);
  const start = BigInt(addr);
  const end = start + BigInt(state.usableRegionSize);
  if (gpa % BigInt(blockSize) !== 0n || size === 0n || gpa < start || gpa >= end || gpa + size > end) return undefined;
  return { first: Number((gpa - start) / BigInt(blockSize)), count: nbBlocks };
}

/** PLUG and UNPLUG (virtio_mem_state_change_request). */
function stateChange(state: VirtioMemState, request: MemRangeRequest, ctx: RequestContext): RequestResult {
  const range = blockRange(state, request.addr, request.nbBlocks);
  if (!range) return answer({ kind: 'error' });
  const { blockSize } = state.setup;
  const plug = request.kind === 'plug';
  // Only plugging can overshoot the request; unplugging below it is always allowed.
  if (plug && pluggedSize(state) + range.count * blockSize > state.requestedSize) return answer({ kind: 'nack' });
  if (state.bitmap.rangeState(range.first, range.count) !== (plug ? 'unplugged' : 'plugged')) return answer({ kind: 'error' });
  if (ctx.busy) return answer({ kind: 'busy' });
  const offset = range.first * blockSize;
  const length = range.count * blockSize;
  state.bitmap.set(range.first, range.count, plug);
  const prealloc: VirtioMemEffect[] = state.setup.prealloc ? [{ kind: 'populate', offset, length }] : [];
  const hostWork: VirtioMemEffect[] = plug ? [...prealloc, { kind: 'plugged', offset, length }] : [{ kind: 'discard', offset, length }];
  return answer({ kind: 'ack' }, [...hostWork, { kind: 'size-changed', size: pluggedSize(state) }]);
}

/**
 * virtio_mem_unplug_all. From 8.1 (836f657b6a) an empty device only shrinks the usable region
 * and never answers BUSY; up to 8.0 the busy check ran first, whatever was plugged.
 */
export function unplugAll(state: VirtioMemState, ctx: RequestContext): RequestResult {
  const modern = compareReleases(state.setup.release, { major: 8, minor: 1 }) >= 0;
  const effects: VirtioMemEffect[] = [];
  if (pluggedSize(state) > 0 || !modern) {
    if (ctx.busy) return answer({ kind: 'busy' });
    effects.push({ kind: 'discard', offset: 0, length: state.setup.regionSize });
    if (pluggedSize(state) > 0) {
      state.bitmap.clear();
      effects.push({ kind: 'size-changed', size: 0 });
    }
  }
  resizeUsableRegion(state, state.requestedSize, true);
  return answer({ kind: 'ack' }, effects);
}

export function handleRequest(state: VirtioMemState, request: MemRequest, ctx: RequestContext): RequestResult {
  switch (request.kind) {
    case 'plug':
    case 'unplug':
      return stateChange(state, request, ctx);
    case 'unplug-all':
      return unplugAll(state, ctx);
    case 'state': {
      // STATE is never BUSY: it changes nothing.
      const range = blockRange(state, request.addr, request.nbBlocks);
      if (!range) return answer({ kind: 'error' });
      return answer({ kind: 'ack-state', state: state.bitmap.rangeState(range.first, range.count) });
    }
    default: {
      const exhaustive: never = request;
      return exhaustive;
    }
  }
}

/**
 * A plug whose preallocation failed: QEMU reports BUSY, discards what it touched and leaves the
 * blocks unplugged (virtio_mem_set_block_state's error path).
 */
export function failedPlug(state: VirtioMemState, offset: number, length: number): RequestResult {
  const { blockSize } = state.setup;
  state.bitmap.set(offset / blockSize, length / blockSize, false);
  return answer({ kind: 'busy' }, [{ kind: 'discard', offset, length }]);
}
