/**
 * Device features a guest can refuse, joined to the property that makes QEMU offer them and the
 * guest release that learned them. A refusal is explained from this table alone: which offered
 * feature the guest did not propose, which property value put it on offer, and what would take
 * it off (the property's other value) or accept it (a newer guest).
 */
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE, VIRTIO_MEM_FEATURE_NAMES } from '../../devices/virtio-mem/features.js';
import type { LinuxFeature } from '../guest/linux/kernel-version.js';
import type { FeatureBit, FeatureNames } from '../virtio/feature-set.js';

export interface FeatureCause {
  readonly feature: FeatureBit;
  /** The device's names for its bits (the feature is looked up there, not spelled again). */
  readonly names: FeatureNames;
  /** The property of the device (virtio-backend) whose value decides whether it is offered. */
  readonly property: string;
  /** The value with which the device does not offer it. */
  readonly withoutIt: string;
  /** The Linux fact (kernel-version.ts) that says from which release the driver accepts it. */
  readonly linux: LinuxFeature;
}

/** virtio-mem (7.0+): virtio_mem_validate_features fails FEATURES_OK when the guest does not ack the bit. */
export const VIRTIO_MEM_FEATURE_CAUSES: readonly FeatureCause[] = [
  {
    feature: VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE,
    names: VIRTIO_MEM_FEATURE_NAMES,
    property: 'unplugged-inaccessible',
    withoutIt: 'off',
    linux: 'unplugged-inaccessible',
  },
];
