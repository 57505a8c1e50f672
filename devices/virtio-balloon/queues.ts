/**
 * The virtqueues QEMU creates for a balloon, in virtio_add_queue order (virtio_balloon_device_realize,
 * unchanged 5.1-10.2): inflate, deflate and stats always (128 entries each), then the free page
 * hinting queue (VIRTQUEUE_MAX_SIZE) with FREE_PAGE_HINT, then the reporting queue (32) with
 * REPORTING. QEMU numbers them as it adds them, so without FREE_PAGE_HINT the reporting queue is
 * queue 3, not the spec's 4; Linux numbered them the same way until its 2024 fix, which keeps
 * talking to QEMU on queue 3 ("virtio_balloon: add work around for out of spec QEMU").
 */
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_REPORTING } from './features.js';

export type BalloonQueueName = 'inflate' | 'deflate' | 'stats' | 'free-page' | 'reporting';

export interface BalloonQueue {
  readonly name: BalloonQueueName;
  readonly index: number;
  readonly size: number;
}

/** include/hw/virtio/virtio.h VIRTQUEUE_MAX_SIZE. */
const VIRTQUEUE_MAX_SIZE = 1024;

/** The queues of a device offering `hostFeatures` (queues exist from realize on, negotiated or not). */
export function balloonQueues(hostFeatures: FeatureSet): readonly BalloonQueue[] {
  const queues: BalloonQueue[] = [
    { name: 'inflate', index: 0, size: 128 },
    { name: 'deflate', index: 1, size: 128 },
    { name: 'stats', index: 2, size: 128 },
  ];
  if (hostFeatures.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) queues.push({ name: 'free-page', index: queues.length, size: VIRTQUEUE_MAX_SIZE });
  if (hostFeatures.has(VIRTIO_BALLOON_F_REPORTING)) queues.push({ name: 'reporting', index: queues.length, size: 32 });
  return queues;
}

/** The queue a driver reaches at `index`, if the device has one there. */
export const queueAt = (queues: readonly BalloonQueue[], index: number): BalloonQueue | undefined => queues.find((q) => q.index === index);

/** The index of a named queue, if the device has it. */
export const queueIndex = (queues: readonly BalloonQueue[], name: BalloonQueueName): number | undefined => queues.find((q) => q.name === name)?.index;
