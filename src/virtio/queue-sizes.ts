/**
 * How many entries each virtqueue of a device has in a QEMU release, and whether the release's
 * virtio_load refuses an incoming ring larger than that. Both changed outside the device models,
 * so cross-release migration hangs on this one rule:
 *
 * - Upstream, a queue has the size its device passes to virtio_add_queue (128 for virtio-mem and
 *   the balloon's first three queues) in every release.
 * - 10.0 as its stable line ships it (10.0.13, Debian trixie's 1:10.0.13+ds-0+deb13u1) carries
 *   a0a7f7727c "virtio-mmio: fix QUEUE_NUM_MAX" without the two 11.1 commits it builds on
 *   (8d01337bba, 3fdafbc116): every queue of every device runs with VIRTQUEUE_MAX_SIZE entries.
 *   Seen on the real binary: x-query-virtio-queue-status says vring-num 1024 for virtio-mem,
 *   virtio-balloon and virtio-rng (8 upstream), and its migration stream carries 1024.
 * - 11.1 (8d01337bba "virtio: stop migrating num_default, validate vring.num on load", 3fdafbc116
 *   "virtio: fix queue size validation against allocated maximum", both between v11.1.0-rc0 and
 *   rc1) refuses an incoming vring.num above the queue's allocated size. Older releases take any.
 *
 * So 10.0.13 to 11.1 fails for every virtio device, while 5.2/7.2 to 11.1 and 11.1 to 10.0 load.
 */
import { inWindow, type Release, type ReleaseWindow } from '../core/release.js';

/** include/hw/virtio/virtio.h VIRTQUEUE_MAX_SIZE. */
export const VIRTQUEUE_MAX_SIZE = 1024;

/** Releases that run every queue at VIRTQUEUE_MAX_SIZE, whatever the device asked for. */
const EVERY_QUEUE_AT_MAX: ReleaseWindow = { since: '10.0', until: '10.1' };

/** Releases whose virtio_load checks each incoming vring.num against the queue's allocation. */
const VALIDATES_VRING_NUM: ReleaseWindow = { since: '11.1' };

/** The entries each queue has (vring.num, and the most it can take) for the sizes the device asks for. */
export function queueSizes(release: Release, requested: readonly number[]): readonly number[] {
  return inWindow(release, EVERY_QUEUE_AT_MAX) ? requested.map(() => VIRTQUEUE_MAX_SIZE) : requested;
}

/**
 * The first incoming ring a release refuses: its queue index, the incoming vring.num and the
 * local allocation; undefined when the release takes them all.
 */
export function refusedRing(
  release: Release,
  incoming: readonly number[],
  allocated: readonly number[],
): { readonly index: number; readonly num: number; readonly max: number } | undefined {
  if (!inWindow(release, VALIDATES_VRING_NUM)) return undefined;
  for (const [index, num] of incoming.entries()) {
    const max = allocated[index] ?? 0;
    if (num > max) return { index, num, max };
  }
  return undefined;
}
