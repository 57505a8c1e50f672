/**
 * The statistics queue's payload and QEMU's view of it. A stats buffer is a packed array of
 * struct virtio_balloon_stat { __virtio16 tag; __virtio64 val; } (10 bytes each) in the
 * device's wire byte order (wire.ts). QEMU keeps one u64 per tag it knows, (u64)-1 when unset,
 * and exposes them through the `guest-stats` property under its own names
 * (hw/virtio/virtio-balloon.c balloon_stat_names).
 */
import type { Release } from '../../src/core/release.js';
import { compareReleases } from '../../src/core/release.js';
import { readU16, readU64, writeU16, writeU64, type WireOrder } from './wire.js';

/** sizeof(struct virtio_balloon_stat). */
export const STAT_SIZE = 10;

/** An unset statistic: QEMU's reset_stats writes -1 into the u64. */
export const STAT_UNSET = (1n << 64n) - 1n;

/** QEMU's QOM names by tag; 9.2 (ae35f033b8) grew VIRTIO_BALLOON_S_NR from 10 to 16. */
const NAMES = [
  'stat-swap-in',
  'stat-swap-out',
  'stat-major-faults',
  'stat-minor-faults',
  'stat-free-memory',
  'stat-total-memory',
  'stat-available-memory',
  'stat-disk-caches',
  'stat-htlb-pgalloc',
  'stat-htlb-pgfail',
  'stat-oom-kills',
  'stat-alloc-stalls',
  'stat-async-scans',
  'stat-direct-scans',
  'stat-async-reclaims',
  'stat-direct-reclaims',
] as const;

/** The tags the virtio spec and Linux define (include/uapi/linux/virtio_balloon.h). */
export const VIRTIO_BALLOON_S = {
  SWAP_IN: 0,
  SWAP_OUT: 1,
  MAJFLT: 2,
  MINFLT: 3,
  MEMFREE: 4,
  MEMTOT: 5,
  AVAIL: 6,
  CACHES: 7,
  HTLB_PGALLOC: 8,
  HTLB_PGFAIL: 9,
  OOM_KILL: 10,
  ALLOC_STALL: 11,
  ASYNC_SCAN: 12,
  DIRECT_SCAN: 13,
  ASYNC_RECLAIM: 14,
  DIRECT_RECLAIM: 15,
} as const;

/** VIRTIO_BALLOON_S_NR as the release's QEMU has it. */
export const statCount = (r: Release): 10 | 16 => (compareReleases(r, { major: 9, minor: 2 }) >= 0 ? 16 : 10);

/** The `stat-*` names QEMU reports in this release, in tag order. */
export const statNames = (r: Release): readonly string[] => NAMES.slice(0, statCount(r));

/** One statistic as a driver sends it. */
export interface BalloonStat {
  readonly tag: number;
  readonly value: bigint;
}

/** The bytes a driver puts in its stats buffer. */
export function encodeStats(stats: readonly BalloonStat[], order: WireOrder): Uint8Array {
  const bytes = new Uint8Array(stats.length * STAT_SIZE);
  stats.forEach((s, i) => {
    writeU16(bytes, i * STAT_SIZE, s.tag, order);
    writeU64(bytes, i * STAT_SIZE + 2, s.value, order);
  });
  return bytes;
}

/**
 * virtio_balloon_receive_stats: every whole 10-byte record of the buffer, in order; a short tail
 * is ignored (iov_to_buf returning less than sizeof(stat) ends the loop).
 */
export function decodeStats(bytes: Uint8Array, order: WireOrder): BalloonStat[] {
  const out: BalloonStat[] = [];
  for (let at = 0; at + STAT_SIZE <= bytes.length; at += STAT_SIZE) {
    out.push({ tag: readU16(bytes, at, order), value: readU64(bytes, at + 2, order) });
  }
  return out;
}
