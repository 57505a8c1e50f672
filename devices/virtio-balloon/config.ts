/**
 * virtio-balloon's config space: struct virtio_balloon_config, four le32 fields, always little
 * endian, even for legacy drivers (virtio spec "Traditional Memory Balloon Device" §Device
 * configuration layout). How much of it a device exposes depends on its features and on the
 * qemu-4-0-config-size compat switch (hw/virtio/virtio-balloon.c virtio_balloon_config_size,
 * unchanged 4.1-10.2).
 */
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { readLe32, writeLe32 } from '../../src/virtio/le.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_PAGE_POISON } from './features.js';

/** sizeof(struct virtio_balloon_config). */
export const VIRTIO_BALLOON_CONFIG_SIZE = 16;

/** The fields as u32 numbers. */
export interface BalloonConfig {
  /** What the device asks the balloon to hold, in 4 KiB pages. */
  readonly numPages: number;
  /** What the driver says the balloon holds, in 4 KiB pages. */
  readonly actual: number;
  readonly freePageHintCmdId: number;
  readonly poisonVal: number;
}

const OFFSETS: Readonly<Record<keyof BalloonConfig, number>> = { numPages: 0, actual: 4, freePageHintCmdId: 8, poisonVal: 12 };

/** The config field at `offset`, for code that writes one field. */
export const configOffset = (field: keyof BalloonConfig): number => OFFSETS[field];

/**
 * virtio_balloon_config_size: the whole struct with qemu-4-0-config-size (QEMU 4.0 exposed it
 * unconditionally, so 4.0 machine types keep that) or PAGE_POISON; up to free_page_hint_cmd_id
 * with FREE_PAGE_HINT; else num_pages and actual only.
 */
export function balloonConfigSize(hostFeatures: FeatureSet, qemu40ConfigSize: boolean): 8 | 12 | 16 {
  if (qemu40ConfigSize || hostFeatures.has(VIRTIO_BALLOON_F_PAGE_POISON)) return 16;
  if (hostFeatures.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) return 12;
  return 8;
}

/** virtio_balloon_get_config: the struct, cut to the exposed size. */
export function encodeConfig(config: BalloonConfig, size: 8 | 12 | 16): Uint8Array {
  const bytes = new Uint8Array(VIRTIO_BALLOON_CONFIG_SIZE);
  for (const field of Object.keys(OFFSETS) as (keyof BalloonConfig)[]) writeLe32(bytes, OFFSETS[field], config[field]);
  return bytes.slice(0, size);
}

/** The fields of an exposed config image; fields past its end read as 0. */
export function decodeConfig(bytes: Uint8Array): BalloonConfig {
  const u32 = (field: keyof BalloonConfig): number => (OFFSETS[field] + 4 <= bytes.length ? readLe32(bytes, OFFSETS[field]) : 0);
  return { numPages: u32('numPages'), actual: u32('actual'), freePageHintCmdId: u32('freePageHintCmdId'), poisonVal: u32('poisonVal') };
}
