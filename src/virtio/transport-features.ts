/**
 * Transport feature bits: the ones not owned by any device type. Numbers and names are those of
 * the virtio spec (1.1-1.3, "Reserved Feature Bits") and Linux's uapi virtio_config.h /
 * virtio_ring.h as QEMU imports them (include/standard-headers/linux/), plus QEMU's own
 * VIRTIO_F_BAD_FEATURE (include/hw/virtio/virtio.h).
 */
import { featureBit, type FeatureNames } from './feature-set.js';

/** Legacy only: notify when the avail ring runs empty even with notifications suppressed. */
export const VIRTIO_F_NOTIFY_ON_EMPTY = featureBit(24);
/** Legacy only: the device accepts any descriptor layout (implied by VERSION_1). */
export const VIRTIO_F_ANY_LAYOUT = featureBit(27);
export const VIRTIO_RING_F_INDIRECT_DESC = featureBit(28);
export const VIRTIO_RING_F_EVENT_IDX = featureBit(29);
/** QEMU offers it on every virtio-pci device so a legacy guest that acks it exposes a broken driver. */
export const VIRTIO_F_BAD_FEATURE = featureBit(30);
export const VIRTIO_F_VERSION_1 = featureBit(32);
/** QEMU's property and older headers call it IOMMU_PLATFORM. */
export const VIRTIO_F_ACCESS_PLATFORM = featureBit(33);
export const VIRTIO_F_RING_PACKED = featureBit(34);
export const VIRTIO_F_IN_ORDER = featureBit(35);
export const VIRTIO_F_ORDER_PLATFORM = featureBit(36);
export const VIRTIO_F_SR_IOV = featureBit(37);
export const VIRTIO_F_NOTIFICATION_DATA = featureBit(38);
export const VIRTIO_F_NOTIF_CONFIG_DATA = featureBit(39);
export const VIRTIO_F_RING_RESET = featureBit(40);
export const VIRTIO_F_ADMIN_VQ = featureBit(41);

/** Names for display, in bit order. */
export const TRANSPORT_FEATURE_NAMES: FeatureNames = [
  { bit: VIRTIO_F_NOTIFY_ON_EMPTY, name: 'VIRTIO_F_NOTIFY_ON_EMPTY' },
  { bit: VIRTIO_F_ANY_LAYOUT, name: 'VIRTIO_F_ANY_LAYOUT' },
  { bit: VIRTIO_RING_F_INDIRECT_DESC, name: 'VIRTIO_RING_F_INDIRECT_DESC' },
  { bit: VIRTIO_RING_F_EVENT_IDX, name: 'VIRTIO_RING_F_EVENT_IDX' },
  { bit: VIRTIO_F_BAD_FEATURE, name: 'VIRTIO_F_BAD_FEATURE' },
  { bit: VIRTIO_F_VERSION_1, name: 'VIRTIO_F_VERSION_1' },
  { bit: VIRTIO_F_ACCESS_PLATFORM, name: 'VIRTIO_F_ACCESS_PLATFORM' },
  { bit: VIRTIO_F_RING_PACKED, name: 'VIRTIO_F_RING_PACKED' },
  { bit: VIRTIO_F_IN_ORDER, name: 'VIRTIO_F_IN_ORDER' },
  { bit: VIRTIO_F_ORDER_PLATFORM, name: 'VIRTIO_F_ORDER_PLATFORM' },
  { bit: VIRTIO_F_SR_IOV, name: 'VIRTIO_F_SR_IOV' },
  { bit: VIRTIO_F_NOTIFICATION_DATA, name: 'VIRTIO_F_NOTIFICATION_DATA' },
  { bit: VIRTIO_F_NOTIF_CONFIG_DATA, name: 'VIRTIO_F_NOTIF_CONFIG_DATA' },
  { bit: VIRTIO_F_RING_RESET, name: 'VIRTIO_F_RING_RESET' },
  { bit: VIRTIO_F_ADMIN_VQ, name: 'VIRTIO_F_ADMIN_VQ' },
];
