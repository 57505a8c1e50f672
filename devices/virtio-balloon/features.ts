/**
 * virtio-balloon's device feature bits 0 to 5 (virtio spec "Traditional Memory Balloon Device"
 * §Feature bits; Linux uapi and QEMU include/standard-headers/linux/virtio_balloon.h). Which of
 * them QEMU offers is the device's business (properties.ts, realize.ts); this file only names them.
 */
import { featureBit, type FeatureNames } from '../../src/virtio/feature-set.js';

/** Host must be told before pages are reused; QEMU never offers it. */
export const VIRTIO_BALLOON_F_MUST_TELL_HOST = featureBit(0);
/** The statistics virtqueue; QEMU always offers it (virtio_balloon_get_features). */
export const VIRTIO_BALLOON_F_STATS_VQ = featureBit(1);
/** The guest may take pages back out of the balloon when it runs out of memory. */
export const VIRTIO_BALLOON_F_DEFLATE_ON_OOM = featureBit(2);
/** The free page hinting virtqueue, a live-migration optimisation. */
export const VIRTIO_BALLOON_F_FREE_PAGE_HINT = featureBit(3);
/** The guest writes the value freed pages hold into `poison_val`. */
export const VIRTIO_BALLOON_F_PAGE_POISON = featureBit(4);
/** The free page reporting virtqueue. */
export const VIRTIO_BALLOON_F_REPORTING = featureBit(5);

/** Names for display, in bit order. */
export const VIRTIO_BALLOON_FEATURE_NAMES: FeatureNames = [
  { bit: VIRTIO_BALLOON_F_MUST_TELL_HOST, name: 'VIRTIO_BALLOON_F_MUST_TELL_HOST' },
  { bit: VIRTIO_BALLOON_F_STATS_VQ, name: 'VIRTIO_BALLOON_F_STATS_VQ' },
  { bit: VIRTIO_BALLOON_F_DEFLATE_ON_OOM, name: 'VIRTIO_BALLOON_F_DEFLATE_ON_OOM' },
  { bit: VIRTIO_BALLOON_F_FREE_PAGE_HINT, name: 'VIRTIO_BALLOON_F_FREE_PAGE_HINT' },
  { bit: VIRTIO_BALLOON_F_PAGE_POISON, name: 'VIRTIO_BALLOON_F_PAGE_POISON' },
  { bit: VIRTIO_BALLOON_F_REPORTING, name: 'VIRTIO_BALLOON_F_REPORTING' },
];

/** The feature property each device bit is switched by (DEFINE_PROP_BIT on host_features). */
export const VIRTIO_BALLOON_FEATURE_PROPERTIES = [
  { property: 'deflate-on-oom', bit: VIRTIO_BALLOON_F_DEFLATE_ON_OOM },
  { property: 'free-page-hint', bit: VIRTIO_BALLOON_F_FREE_PAGE_HINT },
  { property: 'page-poison', bit: VIRTIO_BALLOON_F_PAGE_POISON },
  { property: 'free-page-reporting', bit: VIRTIO_BALLOON_F_REPORTING },
] as const;
