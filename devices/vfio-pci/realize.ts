/**
 * vfio_realize up to the device being attached (hw/vfio/pci.c, hw/vfio/common.c before 8.1,
 * container.c from 8.1): which host device the properties name, and QEMU's refusals in the order
 * it makes them. Pure: the host's devices and files are asked through `HostDevices`.
 *
 *  1. neither host= nor sysfsdev= (nor, 8.2+, fd=): "No provided host device" and a hint;
 *  2. the device's sysfs directory (sysfsdev= wins over host=) must exist: stat's errno;
 *  3. its name is the directory's last component; it must have an iommu_group link;
 *  4. the group's container takes a discard counter (discard-coordination.ts), refused with
 *     "failed to setup container for group N";
 *  5. a device of that name already in the group: "device is already attached";
 *  6. x-balloon-allowed is for mediated devices only.
 *
 * 8.2 (vfio_attach_device, for the iommufd backend) moved 3-5 into the attach, after 6: real
 * 7.2.22 refuses host=0000:00:00.0,x-balloon-allowed=on for its missing IOMMU group, 10.0.13
 * and 11.1.3 for x-balloon-allowed. The messages are checked against real 5.2.0, 7.2.22,
 * 10.0.13 and 11.1.3 for steps 1-3 and 6 (no host here has an IOMMU group); 4 and 5 are from
 * the source of each release.
 */
import { basename } from 'node:path';
import { defineErrors } from '../../src/core/errors.js';
import { compareReleases, type Release } from '../../src/core/release.js';
import { strerror, type Errno } from '../../src/host/errno.js';
import { findPciDevice, pciSysfsPath, type HostPciDevice } from '../../src/host/vfio.js';

export const vfioErrors = defineErrors({
  // The hint (error_append_hint) is the command line's; QMP leaves it out (src/frontends/qmp/errors.ts).
  'vfio.no-host-device': (a: { hint: string }) => `No provided host device\n${a.hint}`,
  'vfio.no-such-device': (a: { path: string; errno: Errno }) => `vfio ${a.path}: no such host device: ${strerror(a.errno)}`,
  'vfio.no-iommu-group': (a: { name: string }) => `vfio ${a.name}: no iommu_group found: ${strerror('ENOENT')}`,
  'vfio.container': (a: { name: string; group: number; reason: string }) => `vfio ${a.name}: failed to setup container for group ${a.group}: ${a.reason}`,
  'vfio.already-attached': (a: { name: string }) => `vfio ${a.name}: device is already attached`,
  'vfio.balloon-allowed': (a: { name: string }) => `vfio ${a.name}: x-balloon-allowed only potentially compatible with mdev devices`,
  'vfio.dma-map-failed': (a: { region: string; errno: Errno }) =>
    `hotmem does not model how QEMU answers a VFIO DMA mapping that fails: pinning ${a.region} gave ${a.errno} (its hugetlb pool ran dry?)`,
  'vfio.fd-not-modelled': () =>
    "hotmem does not model vfio-pci's fd= (a VFIO device file descriptor passed by the caller); name the device with host= or sysfsdev=",
});

/** What the properties name (undefined: not set). */
export interface VfioSource {
  /** host= in canonical form. */
  readonly host: string | undefined;
  readonly sysfsdev: string | undefined;
  /** fd= (8.2+). */
  readonly fd: string | undefined;
}

/** The host as vfio_realize sees it. */
export interface HostDevices {
  readonly pciDevices: readonly HostPciDevice[];
  /** stat(): undefined if the path exists; absent on a modelled host (only its devices exist). */
  readonly stat: ((path: string) => Errno | undefined) | undefined;
}

/** The host device found, and the name QEMU gives it (vbasedev->name). */
export interface FoundDevice {
  readonly name: string;
  /** Its IOMMU group; undefined when it has none (step 3 refuses it). */
  readonly group: number | undefined;
  readonly mdev: boolean;
}

/** 8.2 added fd= (and CONFIG_IOMMUFD builds, as Debian's are, name it in the hint). */
export const hasFdProperty = (r: Release): boolean => compareReleases(r, { major: 8, minor: 2 }) >= 0;

/** 8.2's vfio_attach_device: x-balloon-allowed is checked before the group is looked up. */
export const balloonCheckFirst = (r: Release): boolean => compareReleases(r, { major: 8, minor: 2 }) >= 0;

/** Steps 1-2 and the name: the device the properties name, or QEMU's refusal (thrown). */
export function findHostDevice(source: VfioSource, host: HostDevices, r: Release): FoundDevice {
  if (source.fd !== undefined) throw vfioErrors.error('vfio.fd-not-modelled');
  if (source.sysfsdev === undefined && source.host === undefined) {
    const fd = hasFdProperty(r) ? 'or -device vfio-pci,fd=DEVICE_FD ' : '';
    throw vfioErrors.error('vfio.no-host-device', { hint: `Use -device vfio-pci,host=DDDD:BB:DD.F ${fd}or -device vfio-pci,sysfsdev=PATH_TO_DEVICE` });
  }
  const path = source.sysfsdev ?? pciSysfsPath(source.host!);
  const device = findPciDevice(host.pciDevices, path);
  const name = basename(path);
  if (!device) {
    const errno = host.stat ? host.stat(path) : 'ENOENT';
    if (errno !== undefined) throw vfioErrors.error('vfio.no-such-device', { path, errno });
    // A path that is not a PCI device: no IOMMU group, and not a mediated device.
    return { name, group: undefined, mdev: false };
  }
  return { name, group: device.iommuGroup, mdev: device.mdev === true };
}

/** Step 3: the device's IOMMU group. */
export function iommuGroup(found: FoundDevice): number {
  if (found.group === undefined) throw vfioErrors.error('vfio.no-iommu-group', { name: found.name });
  return found.group;
}

/** Step 6: x-balloon-allowed on a device that is not mediated. */
export function checkBalloonAllowed(found: FoundDevice, balloonAllowed: boolean): void {
  if (balloonAllowed && !found.mdev) throw vfioErrors.error('vfio.balloon-allowed', { name: found.name });
}
