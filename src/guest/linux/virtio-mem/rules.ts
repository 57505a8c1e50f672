/**
 * The version- and architecture-dependent constants of drivers/virtio/virtio_mem.c, resolved once
 * for one guest. Everything below cites the release it changed in (kernel-version.ts LINUX_FACTS)
 * and the source it was read from.
 */
import type { Arch } from '../../../core/arch.js';
import { GiB, KiB, MiB } from '../../../core/units.js';
import { FeatureSet } from '../../../virtio/feature-set.js';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_ORDER_PLATFORM,
  VIRTIO_F_RING_PACKED,
  VIRTIO_F_RING_RESET,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
} from '../../../virtio/transport-features.js';
import { VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_PERSISTENT_SUSPEND, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../../devices/virtio-mem/features.js';
import { linuxHas, type KernelVersion } from '../kernel-version.js';

/** Guest-kernel facts of an architecture that the driver's arithmetic uses. */
export interface GuestArchFacts {
  readonly pageSize: number;
  /** pageblock_nr_pages * PAGE_SIZE: HUGETLB_PAGE_ORDER 9 on x86_64 (2 MiB), 8 on s390x (1 MiB). */
  readonly pageblockSize: number;
  /** MAX_ORDER_NR_PAGES * PAGE_SIZE with the default MAX_ORDER 11: 4 MiB. */
  readonly maxOrderSize: number;
  /** memory_block_size_bytes() in a small VM: 128 MiB on x86_64, 256 MiB on s390x (linux.md §2.3, §4.7). */
  readonly defaultMemoryBlockSize: number;
  /** PAGES_PER_SECTION * PAGE_SIZE: SECTION_SIZE_BITS 27 on x86_64, 28 on s390x. */
  readonly sectionSize: number;
  /** CONFIG_NUMA && CONFIG_ACPI_NUMA: whether VIRTIO_MEM_F_ACPI_PXM is in the feature table. */
  readonly acpiNuma: boolean;
  /** IS_ENABLED(CONFIG_NUMA), which gates the "nid:" line since 5.11 (s390 has no NUMA support). */
  readonly numa: boolean;
}

export const GUEST_ARCH_FACTS: Readonly<Record<Arch, GuestArchFacts>> = Object.freeze({
  x86_64: Object.freeze({
    pageSize: 4 * KiB,
    pageblockSize: 2 * MiB,
    maxOrderSize: 4 * MiB,
    defaultMemoryBlockSize: 128 * MiB,
    sectionSize: 128 * MiB,
    acpiNuma: true,
    numa: true,
  }),
  s390x: Object.freeze({
    pageSize: 4 * KiB,
    pageblockSize: 1 * MiB,
    maxOrderSize: 4 * MiB,
    defaultMemoryBlockSize: 256 * MiB,
    sectionSize: 256 * MiB,
    acpiNuma: false,
    numa: false,
  }),
});

/** VIRTIO_MEM_RETRY_TIMER_MIN_MS / _MAX_MS, unchanged since 5.8 (virtio_mem.c). */
export const RETRY_TIMER_MIN_MS = 50_000;
export const RETRY_TIMER_MAX_MS = 300_000;
/** VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD (5.11+), bytes. */
export const OFFLINE_THRESHOLD_BYTES = 1 * GiB;
/** VIRTIO_MEM_NB_OFFLINE_THRESHOLD (5.8-5.10), memory blocks. */
export const OFFLINE_THRESHOLD_BLOCKS = 10;

/** How the driver of one kernel version behaves where versions differ. */
export interface DriverRules {
  readonly kernel: KernelVersion;
  readonly arch: GuestArchFacts;
  /** The virtio_mem_features[] table: device bits the driver acks when offered. */
  readonly featureTable: FeatureSet;
  /** Transport bits the virtio core and transport keep when offered. */
  readonly transportFeatures: FeatureSet;
  /** 5.11+: device blocks bigger than a memory block use Big Block Mode instead of failing probe. */
  readonly bigBlockMode: boolean;
  /** 5.11+: offline memory is limited in bytes, not in memory blocks. */
  readonly byteThreshold: boolean;
  /**
   * The nid falls back to memory_add_physaddr_to_nid(addr) and "nid:" is printed whenever
   * CONFIG_NUMA is set: in the 5.14 source, not in 5.10's; assumed to come with the 5.11 rework.
   */
  readonly nidFallback: boolean;
  /** 5.14+: SBM/BBM tell ZONE_MOVABLE from kernel zones and unplug from ZONE_MOVABLE first. */
  readonly zoneAware: boolean;
  /** 5.16+: a kdump kernel binds and filters /proc/vmcore instead of refusing the device. */
  readonly kdumpMode: boolean;
  /** 5.16+: start/region/block size and nid are printed before the hotplug-specific lines. */
  readonly splitInitLogging: boolean;
  /** The smallest subblock: pageblock (5.19+) or max(MAX_ORDER, pageblock) before. */
  readonly subblockBase: number;
  /** 6.14+ and s390x only: CONFIG_PROC_VMCORE_DEVICE_RAM, the kdump kernel describes device RAM itself. */
  readonly vmcoreDeviceRam: boolean;
}

export function driverRules(kernel: KernelVersion, arch: Arch): DriverRules {
  const facts = GUEST_ARCH_FACTS[arch];
  const bits = [
    ...(facts.acpiNuma ? [VIRTIO_MEM_F_ACPI_PXM] : []),
    ...(linuxHas(kernel, 'unplugged-inaccessible') ? [VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE] : []),
    ...(linuxHas(kernel, 'persistent-suspend') ? [VIRTIO_MEM_F_PERSISTENT_SUSPEND] : []),
  ];
  return Object.freeze({
    kernel,
    arch: facts,
    featureTable: FeatureSet.of(...bits),
    transportFeatures: transportFeatures(kernel, arch),
    bigBlockMode: linuxHas(kernel, 'big-block-mode'),
    byteThreshold: linuxHas(kernel, 'offline-threshold-bytes'),
    nidFallback: linuxHas(kernel, 'big-block-mode'),
    zoneAware: linuxHas(kernel, 'zone-aware-sbm'),
    kdumpMode: linuxHas(kernel, 'kdump-mode'),
    splitInitLogging: linuxHas(kernel, 'split-init-logging'),
    subblockBase: linuxHas(kernel, 'pageblock-subblocks') ? facts.pageblockSize : Math.max(facts.maxOrderSize, facts.pageblockSize),
    // select PROC_VMCORE_DEVICE_RAM comes from arch/s390 Kconfig only (linux.md §2.7).
    vmcoreDeviceRam: arch === 's390x' && linuxHas(kernel, 'vmcore-device-ram'),
  });
}

/**
 * vring_transport_features() (drivers/virtio/virtio_ring.c) keeps these since 5.8; virtio-pci's
 * vp_transport_features() adds RING_RESET from 6.0. The model assumes virtio-mem-pci on x86_64
 * and virtio-mem-ccw on s390x, whose transport keeps no extra bit. Later additions
 * (NOTIFICATION_DATA, 6.x) are not modelled; QEMU accepts either subset.
 */
function transportFeatures(kernel: KernelVersion, arch: Arch): FeatureSet {
  const base = FeatureSet.of(
    VIRTIO_RING_F_INDIRECT_DESC,
    VIRTIO_RING_F_EVENT_IDX,
    VIRTIO_F_VERSION_1,
    VIRTIO_F_ACCESS_PLATFORM,
    VIRTIO_F_RING_PACKED,
    VIRTIO_F_ORDER_PLATFORM,
  );
  return arch === 'x86_64' && linuxHas(kernel, 'pci-ring-reset') ? base.with(VIRTIO_F_RING_RESET) : base;
}
