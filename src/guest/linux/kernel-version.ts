/**
 * Linux guest kernel versions as comparable values, and which virtio-mem facts hold from which
 * version on. Every entry names where it comes from; entries linux.md marks unverified and that
 * the source history settled say so (see LINUX_FACTS).
 */
import type { Arch } from '../../core/arch.js';
import { HotmemError } from '../../core/errors.js';

/** A mainline kernel release, MAJOR.MINOR (stable patch levels do not change these facts). */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

const VERSION_PATTERN = /^(\d+)\.(\d+)$/;

/** Parses `6.1`; throws for anything else (a caller bug, not a guest one). */
export function kernelVersion(text: string): KernelVersion {
  const match = VERSION_PATTERN.exec(text);
  if (!match) {
    throw new HotmemError('guest.bad-kernel-version', `'${text}' is not a Linux version (expected MAJOR.MINOR, e.g. 6.1)`, {
      text,
    });
  }
  return Object.freeze({ major: Number(match[1]), minor: Number(match[2]) });
}

export const kernelVersionName = (v: KernelVersion): string => `${v.major}.${v.minor}`;

export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** Whether `v` is `since` or later. */
export const kernelAtLeast = (v: KernelVersion, since: string): boolean => compareKernelVersions(v, kernelVersion(since)) >= 0;

/** One dated fact: from which release it holds, and where that is recorded. */
export interface LinuxFact {
  readonly since: string;
  readonly source: string;
}

/** The version-dependent behaviour of drivers/virtio/virtio_mem.c that the model reproduces. */
export type LinuxFeature =
  | 'virtio-mem-x86_64'
  | 'virtio-mem-s390x'
  | 'big-block-mode'
  | 'offline-threshold-bytes'
  | 'zone-aware-sbm'
  | 'unplugged-inaccessible'
  | 'kdump-mode'
  | 'split-init-logging'
  | 'pageblock-subblocks'
  | 'pci-ring-reset'
  | 'persistent-suspend'
  | 'vmcore-device-ram';

export const LINUX_FACTS: Readonly<Record<LinuxFeature, LinuxFact>> = Object.freeze({
  'virtio-mem-x86_64': { since: '5.8', source: 'linux.md §2.1: 5f1f79bbc9e2 "virtio-mem: Paravirtualized memory hotplug"' },
  'virtio-mem-s390x': { since: '6.13', source: 'linux.md §2.1/§4.7: 38968bcdcc1d "virtio-mem: s390 support"' },
  // The 5.8-5.10 driver (virtio_mem_init) fails probe for device blocks above the memory block size.
  'big-block-mode': { since: '5.11', source: 'linux.md §2.1 (merge unverified); 4ba50cd3355d "virtio-mem: Big Block Mode (BBM) memory hotplug"' },
  // 5.8-5.10 counted offline blocks (VIRTIO_MEM_NB_OFFLINE_THRESHOLD 10); the byte threshold came with BBM.
  'offline-threshold-bytes': { since: '5.11', source: 'virtio_mem.c VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD (with BBM, unverified merge)' },
  'zone-aware-sbm': { since: '5.14', source: 'vhost pull for 5.14: "virtio-mem: prioritize unplug from ZONE_MOVABLE in Sub/Big Block Mode"' },
  'unplugged-inaccessible': { since: '5.16', source: 'linux.md §2.1: 61082ad6a6e1 "virtio-mem: support VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE"' },
  'kdump-mode': { since: '5.16', source: 'linux.md §2.7: "virtio-mem: kdump mode to sanitize /proc/vmcore access" (same series)' },
  'split-init-logging': {
    since: '5.16',
    source: '"virtio-mem: factor out hotplug specifics from virtio_mem_init() into virtio_mem_init_hotplug()" (same series)',
  },
  // linux.md §2.1 says "~6.0 (unverified)"; the "MM updates for 5.19-rc1" pull lists the commit.
  'pageblock-subblocks': { since: '5.19', source: '"drivers: virtio_mem: use pageblock size as the minimum virtio_mem size." in MM updates for 5.19-rc1' },
  // Seen acked (bit 40) by Debian's 6.1 guest on QEMU 7.2 (test/conformance/guest transcripts).
  'pci-ring-reset': { since: '6.0', source: '04ca0b0b16f1 "virtio_pci: support VIRTIO_F_RING_RESET" (Xuan Zhuo v13 series, 6.0 merge window)' },
  'persistent-suspend': { since: '6.10', source: 'linux.md §2.1: 4ba509048975 "virtio-mem: support suspend+resume"' },
  'vmcore-device-ram': { since: '6.14', source: 'linux.md §2.1: CONFIG_PROC_VMCORE_DEVICE_RAM, "s390/kdump: virtio-mem kdump support" (6.14 inferred)' },
});

/** Each fact's first release, parsed once: a guest's driver asks on every request it sends. */
const FACT_SINCE = Object.freeze(Object.fromEntries(Object.entries(LINUX_FACTS).map(([feature, fact]) => [feature, kernelVersion(fact.since)]))) as Readonly<
  Record<LinuxFeature, KernelVersion>
>;

/** Whether the fact holds for this kernel. */
export const linuxHas = (v: KernelVersion, feature: LinuxFeature): boolean => compareKernelVersions(v, FACT_SINCE[feature]) >= 0;

/** Whether drivers/virtio/virtio_mem.c exists for the architecture (Kconfig `depends on`). */
export function virtioMemDriverExists(v: KernelVersion, arch: Arch): boolean {
  switch (arch) {
    case 'x86_64':
      return linuxHas(v, 'virtio-mem-x86_64');
    case 's390x':
      return linuxHas(v, 'virtio-mem-s390x');
    default: {
      const _exhaustive: never = arch;
      return _exhaustive;
    }
  }
}
