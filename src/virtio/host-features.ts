/**
 * How QEMU builds a virtio device's host features and what a modern driver reads of them.
 *
 * QEMU 7.2 (b67b00e6b4): every virtio device carries the DEFINE_VIRTIO_COMMON_FEATURES bit
 * properties (include/hw/virtio/virtio.h, used by virtio_properties in hw/virtio/virtio.c).
 * At plug time virtio-pci's pre_plugged hook adds VERSION_1 (if the proxy has its modern
 * interface) and BAD_FEATURE (hw/virtio/virtio-pci.c virtio_pci_pre_plugged); then the device's
 * get_features adds its own bits (hw/virtio/virtio-bus.c virtio_bus_device_plugged). The modern
 * device-feature window hides VIRTIO_LEGACY_FEATURES (virtio-pci.c VIRTIO_PCI_COMMON_DF; the
 * same mask in virtio-mmio.c and s390x virtio-ccw.c). Checked against qemu-system-x86_64 7.2.22:
 * `x-query-virtio-status` of a default virtio-mem-pci on q35 lists EVENT_IDX, INDIRECT_DESC,
 * VERSION_1, ANY_LAYOUT, NOTIFY_ON_EMPTY and "unknown" bits 0x10040000001 (0, 30, 40), i.e.
 * host features 0x10179000001.
 */
import { FeatureSet, type FeatureBit } from './feature-set.js';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_ANY_LAYOUT,
  VIRTIO_F_BAD_FEATURE,
  VIRTIO_F_NOTIFY_ON_EMPTY,
  VIRTIO_F_RING_PACKED,
  VIRTIO_F_RING_RESET,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
} from './transport-features.js';

/** One of the per-device feature switches every virtio device has, with its QEMU 7.2 default. */
export interface CommonFeatureProperty {
  readonly property: string;
  readonly bit: FeatureBit;
  readonly default: boolean;
}

/**
 * DEFINE_VIRTIO_COMMON_FEATURES as of QEMU 7.2. `queue_reset` is new in 7.2; hw_compat_7_1
 * turns it off for older machine types (that entry belongs to the compat data, not here).
 */
export const VIRTIO_COMMON_FEATURE_PROPERTIES = [
  { property: 'indirect_desc', bit: VIRTIO_RING_F_INDIRECT_DESC, default: true },
  { property: 'event_idx', bit: VIRTIO_RING_F_EVENT_IDX, default: true },
  { property: 'notify_on_empty', bit: VIRTIO_F_NOTIFY_ON_EMPTY, default: true },
  { property: 'any_layout', bit: VIRTIO_F_ANY_LAYOUT, default: true },
  { property: 'iommu_platform', bit: VIRTIO_F_ACCESS_PLATFORM, default: false },
  { property: 'packed', bit: VIRTIO_F_RING_PACKED, default: false },
  { property: 'queue_reset', bit: VIRTIO_F_RING_RESET, default: true },
] as const satisfies readonly CommonFeatureProperty[];

/** The name of one common feature property (`indirect_desc`, `packed`, ...). */
export type CommonFeaturePropertyName = (typeof VIRTIO_COMMON_FEATURE_PROPERTIES)[number]['property'];

/** Values for the common feature properties; a property left out keeps its default. */
export type CommonFeatureValues = Readonly<Partial<Record<CommonFeaturePropertyName, boolean>>>;

/** The transport bits a device starts with before any transport or device adds its own. */
export function commonHostFeatures(values: CommonFeatureValues = {}): FeatureSet {
  return VIRTIO_COMMON_FEATURE_PROPERTIES.reduce((set, p) => ((values[p.property] ?? p.default) ? set.with(p.bit) : set), FeatureSet.EMPTY);
}

/**
 * Bits a modern interface never shows the driver even when host_features has them, because they
 * only mean something to a legacy driver (QEMU VIRTIO_LEGACY_FEATURES).
 */
export const VIRTIO_LEGACY_FEATURES = FeatureSet.of(VIRTIO_F_BAD_FEATURE, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT);

/** Whether the virtio-pci proxy exposes the modern (virtio 1.x) interface. */
export interface VirtioPciInterfaces {
  readonly modern: boolean;
}

/** virtio_pci_pre_plugged: the bits the PCI proxy adds before the device's get_features runs. */
export function virtioPciPrePlug(features: FeatureSet, proxy: VirtioPciInterfaces): FeatureSet {
  const withBad = features.with(VIRTIO_F_BAD_FEATURE);
  return proxy.modern ? withBad.with(VIRTIO_F_VERSION_1) : withBad;
}

/** What a driver reads from the modern device-feature registers for given host features. */
export function modernDeviceFeatures(hostFeatures: FeatureSet): FeatureSet {
  return hostFeatures.minus(VIRTIO_LEGACY_FEATURES);
}
