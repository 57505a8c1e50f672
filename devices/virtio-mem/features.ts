/**
 * virtio-mem's device feature bits (virtio 1.2+ "Memory Device" §Feature bits; Linux uapi and
 * QEMU include/standard-headers/linux/virtio_mem.h). Which of them QEMU offers, and when, is the
 * device's business (qemu.md §1.9); this file only names them.
 */
import { featureBit, type FeatureNames } from '../../src/virtio/feature-set.js';

/** `node_id` in the config is an ACPI proximity domain and is valid. */
export const VIRTIO_MEM_F_ACPI_PXM = featureBit(0);
/** The driver must not read unplugged memory (spec 1.2; QEMU 7.0+, Linux 5.16+). */
export const VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE = featureBit(1);
/** Plugged memory stays plugged across suspend-to-RAM (spec 1.4; QEMU 9.2+, Linux 6.10+). */
export const VIRTIO_MEM_F_PERSISTENT_SUSPEND = featureBit(2);

/** Names for display, in bit order. */
export const VIRTIO_MEM_FEATURE_NAMES: FeatureNames = [
  { bit: VIRTIO_MEM_F_ACPI_PXM, name: 'VIRTIO_MEM_F_ACPI_PXM' },
  { bit: VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE, name: 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE' },
  { bit: VIRTIO_MEM_F_PERSISTENT_SUSPEND, name: 'VIRTIO_MEM_F_PERSISTENT_SUSPEND' },
];
