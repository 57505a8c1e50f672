/**
 * virtio_mem_resize_usable_region: the guest may plug only inside the usable region, which is
 * requested-size plus an extent (so a guest can plug around holes), capped at the region and
 * block-aligned. It grows when requested-size grows, and shrinks only on UNPLUG_ALL and reset.
 */
import { alignUp } from '../../src/core/units.js';
import type { VirtioMemState } from './state.js';

export function resizeUsableRegion(state: VirtioMemState, requestedSize: number, canShrink: boolean): void {
  const { regionSize, usableExtent, blockSize } = state.setup;
  let size = alignUp(Math.min(regionSize, requestedSize + usableExtent), blockSize);
  if (requestedSize === 0) size = 0;
  if (size < state.usableRegionSize && !canShrink) return;
  state.usableRegionSize = size;
}
