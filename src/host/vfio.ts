/**
 * Host devices VFIO can hand to a guest, and the DMA mappings a QEMU process makes for them.
 *
 * A device is found by its sysfs directory: QEMU stats it, takes its name from the last path
 * component and follows its `iommu_group` link. A device without the link has no IOMMU group
 * (no IOMMU, or the IOMMU is off), so VFIO cannot take it.
 *
 * A DMA mapping (VFIO_IOMMU_MAP_DMA on a type1 container) pins every page of the range for as long
 * as it exists: the pages are faulted in, stay resident whatever madvise says, and are charged to
 * the process's locked_vm (VmLck).
 */
import { HotmemError } from '../core/errors.js';
import type { SyscallOutcome } from './accounting.js';
import type { Mapping } from './mapping.js';
import type { HostProcess } from './process.js';

/** One PCI device of the host, as sysfs shows it. */
export interface HostPciDevice {
  /** Its PCI address, DDDD:BB:DD.F. */
  readonly address: string;
  /** The number of its /sys/kernel/iommu_groups entry; absent when the device has no IOMMU group. */
  readonly iommuGroup?: number;
  /** Its sysfs directory; /sys/bus/pci/devices/<address> unless it is a mediated device elsewhere. */
  readonly sysfsdev?: string;
  /** A mediated device (its subsystem is /sys/bus/mdev): the one kind x-balloon-allowed accepts. */
  readonly mdev?: boolean;
}

/** Whether `text` is a PCI address as sysfs names devices (DDDD:BB:DD.F, lower-case hex). */
export const isPciAddress = (text: string): boolean => /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/.test(text);

/** Where sysfs lists a PCI device of this address. */
export const pciSysfsPath = (address: string): string => `/sys/bus/pci/devices/${address}`;

/** The devices of a host description, checked: addresses in sysfs form, each once. */
export function checkPciDevices(devices: readonly HostPciDevice[]): readonly HostPciDevice[] {
  const seen = new Set<string>();
  for (const d of devices) {
    if (!isPciAddress(d.address))
      throw new HotmemError('host.pci-address', `host PCI device '${d.address}' is not a PCI address of the form 0000:01:00.0 (lower-case hex)`);
    const path = d.sysfsdev ?? pciSysfsPath(d.address);
    if (seen.has(path)) throw new HotmemError('host.pci-duplicate', `host PCI device ${path} is listed twice`);
    seen.add(path);
    if (d.iommuGroup !== undefined && (!Number.isSafeInteger(d.iommuGroup) || d.iommuGroup < 0))
      throw new HotmemError('host.iommu-group', `host PCI device ${d.address}: iommuGroup must be a non-negative integer (got ${d.iommuGroup})`);
  }
  return devices;
}

/** The device whose sysfs directory is `path` (a trailing slash allowed), if the host has one. */
export function findPciDevice(devices: readonly HostPciDevice[], path: string): HostPciDevice | undefined {
  const wanted = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return devices.find((d) => (d.sysfsdev ?? pciSysfsPath(d.address)) === wanted);
}

interface DmaEntry {
  readonly mapping: Mapping;
  readonly offset: number;
  readonly length: number;
}

/**
 * One process's VFIO DMA mappings (a type1 container, or an iommufd IOAS: both pin the same way).
 * QEMU maps and unmaps whole sections or whole RamDiscardManager blocks, never parts of one.
 */
export class VfioDma {
  readonly #entries: DmaEntry[] = [];

  constructor(readonly process: HostProcess) {}

  /** Bytes pinned now. */
  get pinnedBytes(): number {
    return this.#entries.reduce((sum, e) => sum + e.length, 0);
  }

  /** The pinned parts of `mapping`, as (offset, length) in mapping order. */
  pinned(mapping: Mapping): ReadonlyArray<{ readonly offset: number; readonly length: number }> {
    return this.#entries
      .filter((e) => e.mapping === mapping)
      .map(({ offset, length }) => ({ offset, length }))
      .sort((a, b) => a.offset - b.offset);
  }

  /**
   * VFIO_IOMMU_MAP_DMA: pins the range (faulting it in) and charges it to locked_vm. A page that
   * cannot be faulted in (a hugetlb pool run dry, a userfaultfd-registered hole) fails the whole
   * mapping with EFAULT, as GUP does; what was faulted in stays, nothing stays pinned.
   */
  map(mapping: Mapping, offset: number, length: number): SyscallOutcome {
    if (this.#entries.some((e) => e.mapping === mapping && e.offset < offset + length && offset < e.offset + e.length))
      throw new HotmemError('host.vfio-dma-overlap', `VFIO DMA mapping of ${mapping.name} at +${offset} (${length} bytes) overlaps one already made`);
    const pinned = mapping._pin(offset, length, 'vfio-map-dma');
    const cost = { delta: pinned.delta, faults: pinned.faults };
    if (pinned.kind !== 'done') return { kind: 'error', errno: 'EFAULT', ...cost };
    if (length > 0) {
      this.#entries.push({ mapping, offset, length });
      this.process._chargeLockedVm(length);
    }
    return { kind: 'done', ...cost };
  }

  /** VFIO_IOMMU_UNMAP_DMA over the range: the mappings inside it are unpinned; the pages stay mapped. */
  unmap(mapping: Mapping, offset: number, length: number): number {
    let unpinned = 0;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.mapping !== mapping || e.offset < offset || e.offset + e.length > offset + length) continue;
      this.#entries.splice(i, 1);
      unpinned += e.length;
    }
    this.process._chargeLockedVm(-unpinned);
    return unpinned;
  }

  /** Every mapping goes (the container is closed). */
  unmapAll(): void {
    this.process._chargeLockedVm(-this.pinnedBytes);
    this.#entries.length = 0;
  }
}
