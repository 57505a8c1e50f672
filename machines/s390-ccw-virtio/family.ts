/**
 * The s390-ccw-virtio family (hw/s390x/s390-virtio-ccw.c). Initial RAM sits at 0; device memory
 * exists only from QEMU 10.0 (virtio-mem-ccw), at the next 1 GiB boundary above RAM. s390 has
 * no NUMA, and machine types up to 4.2 round RAM to SCLP storage increments.
 */
import { compareReleases } from '../../src/core/release.js';
import { alignUp, GiB, MiB } from '../../src/core/units.js';
import { machineErrors } from '../../src/machine/errors.js';
import type { MachineFamily } from '../../src/machine/family.js';
import type { MemorySizeRules } from '../../src/machine/memory-size.js';

/** include/hw/s390x/sclp.h */
const MAX_STORAGE_INCREMENTS = 1020;

/** s390_fixup_ram_size: round down to the increment size that keeps at most 1020 increments. */
function fixupRamSize(size: number): { size: number; notice?: string } {
  let increment = MiB;
  while (Math.floor(size / increment) > MAX_STORAGE_INCREMENTS) increment *= 2;
  const fixed = Math.floor(size / increment) * increment;
  if (fixed === size) return { size };
  return {
    size: fixed,
    notice: `Ram size ${Math.floor(size / MiB)}MB was fixed up to ${Math.floor(fixed / MiB)}MB to match machine restrictions. Consider updating the guest definition.`,
  };
}

export const S390_CCW_VIRTIO: MachineFamily = {
  name: 's390-ccw-virtio',
  arch: 's390x',
  prefix: 's390-ccw-virtio-',
  baseType: { name: 's390-ccw-machine-base', parent: 'machine', abstract: true },
  supportTypes: [],
  memoryRules: (version): MemorySizeRules => (version.atLeast(5, 0) ? { defaultRamSize: 128 * MiB } : { defaultRamSize: 128 * MiB, fixupRamSize }),
  defaultRamId: 's390.ram',
  numaSupported: false,
  autoEnableNuma: () => ({ withMemhp: false, withMemdev: false }),
  legacyNumaMem: () => false,
  layout: ({ memory, release }) => {
    const modern = compareReleases(release, { major: 10, minor: 0 }) >= 0;
    // SCLP and KVM cannot express finer granularity (10.0+ checks it at memory init).
    if (modern && memory.ramSize % MiB !== 0) throw machineErrors.error('s390.ram-unaligned');
    const ram = [{ name: 's390.ram', base: 0, size: memory.ramSize, offset: 0 }];
    if (!modern || memory.maxRamSize === memory.ramSize) return { ram, deviceMemory: 'unsupported', firmwareBytes: 0, warnings: [] };
    return { ram, deviceMemory: { base: alignUp(memory.ramSize, GiB), size: memory.maxRamSize - memory.ramSize }, firmwareBytes: 0, warnings: [] };
  },
  // Devices without devno= get the first free subchannel and device number in cssid 0xfe (VIRTUAL_CSSID).
  hasAcpiDevice: () => false,
  rootBuses: () => [{ name: 'virtual-css', kind: 'virtual-css-bus', hotplug: 'immediate', addressing: { kind: 'css', defaultCssid: 0xfe } }],
  // s390_create_virtio_net: the default NIC is a virtio-net-ccw (real 7.2: fe.0.0000).
  defaultDevices: () => [{ kind: 'nic', type: 'virtio-net-ccw', bus: 'virtual-css' }],
};
