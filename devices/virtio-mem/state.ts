/**
 * The virtio-mem device's own state: what realize fixed (block size, region, features) and what
 * changes at run time (requested size, usable region, the plugged bitmap). Plugged size is
 * derived from the bitmap, never stored beside it.
 */
import type { Release } from '../../src/core/release.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { BlockBitmap } from './bitmap.js';

/** Decided at realize; migration checks these against the destination. */
export interface VirtioMemSetup {
  readonly release: Release;
  readonly blockSize: number;
  /** Guest-physical start of the device's region (memaddr). */
  readonly addr: number;
  /** The memdev size: the most the device can ever plug. */
  readonly regionSize: number;
  readonly nodeId: number;
  /** `unplugged-inaccessible` after realize resolved `auto`. */
  readonly unpluggedInaccessible: 'on' | 'off';
  /** The device-specific feature bits it offers. */
  readonly deviceFeatures: FeatureSet;
  readonly prealloc: boolean;
  readonly earlyMigration: boolean;
  readonly dynamicMemslots: boolean;
  /** The usable-region headroom above requested-size: 256 MiB on x86 and s390x. */
  readonly usableExtent: number;
}

export interface VirtioMemState {
  readonly setup: VirtioMemSetup;
  requestedSize: number;
  usableRegionSize: number;
  readonly bitmap: BlockBitmap;
}

export const pluggedSize = (state: VirtioMemState): number => state.bitmap.pluggedBlocks * state.setup.blockSize;

export function newState(setup: VirtioMemSetup, requestedSize: number): VirtioMemState {
  return {
    setup,
    requestedSize,
    usableRegionSize: 0,
    bitmap: new BlockBitmap(Math.floor(setup.regionSize / setup.blockSize)),
  };
}
