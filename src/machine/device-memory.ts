/**
 * The device-memory region and address assignment for memory devices
 * (hw/mem/memory-device.c memory_device_get_free_addr and memory_device_check_addable): a
 * first-fit walk over the plugged devices sorted by address, with QEMU's checks in QEMU's order.
 */
import type { Warning } from '../core/errors.js';
import { compareReleases, type Release } from '../core/release.js';
import { alignUp, isAligned } from '../core/units.js';
import { machineErrors } from './errors.js';

export interface DeviceMemoryRegion {
  readonly base: number;
  readonly size: number;
}

/** A memory device already occupying part of the region. */
export interface PlacedMemoryDevice {
  readonly id: string | undefined;
  readonly addr: number;
  readonly size: number;
}

export interface PlacementRequest {
  /** `unsupported`: the machine has no device memory at all (no memory-device support). */
  readonly region: DeviceMemoryRegion | 'unsupported';
  /** The device's memaddr when the user set one (non-zero). */
  readonly hint: number | undefined;
  readonly align: number;
  /** The device's region size. */
  readonly size: number;
  /** Alignment the size must honour: 7.2-8.1 used `align`; 9.0+ only the region's own. */
  readonly sizeAlign: number | undefined;
  readonly placed: readonly PlacedMemoryDevice[];
  readonly ramSize: number;
  readonly maxRamSize: number;
  readonly release: Release;
}

export interface Placement {
  readonly addr: number;
  readonly warnings: readonly Warning[];
}

const atLeast = (r: Release, major: number, minor: number) => compareReleases(r, { major, minor }) >= 0;

export function placeMemoryDevice(req: PlacementRequest): Placement {
  // 8.1 folded "not supported by the machine" into the "not prepared" message.
  if (req.region === 'unsupported') {
    if (atLeast(req.release, 8, 1)) throw machineErrors.error('memdev.not-enabled', { modern: true });
    throw machineErrors.error('memdev.no-device-memory');
  }
  const { region, align, size } = req;
  if (region.size === 0) throw machineErrors.error('memdev.not-enabled', { modern: atLeast(req.release, 8, 1) });
  const warnings: Warning[] = [];
  // The region's start is the largest alignment QEMU expects devices to need.
  if (!isAligned(region.base, align)) warnings.push(machineErrors.warning('memdev.alignment-warning', { align }));

  const used = req.placed.reduce((sum, d) => sum + d.size, 0);
  const total = req.maxRamSize - req.ramSize;
  if (used + size > total) throw machineErrors.error('memdev.no-space', { used, total });
  if (req.hint !== undefined && !isAligned(req.hint, align)) throw machineErrors.error('memdev.address-unaligned', { align });
  if (req.sizeAlign !== undefined && !isAligned(size, req.sizeAlign)) {
    throw machineErrors.error('memdev.size-unaligned', { align: req.sizeAlign });
  }

  const regionEnd = region.base + region.size;
  let start: number;
  if (req.hint !== undefined) {
    if (size === 0 || req.hint < region.base || req.hint + size > regionEnd) {
      throw machineErrors.error('memdev.out-of-range', { addr: req.hint, size, base: region.base, regionSize: region.size });
    }
    start = req.hint;
  } else {
    start = alignUp(region.base, align);
    if (size === 0) throw machineErrors.error('memdev.too-big');
  }

  const sorted = [...req.placed].sort((a, b) => a.addr - b.addr);
  for (const device of sorted) {
    const overlaps = device.addr < start + size && start < device.addr + device.size;
    if (overlaps) {
      if (req.hint !== undefined) throw machineErrors.error('memdev.conflict', { id: device.id });
      start = alignUp(device.addr + device.size, align);
    } else if (device.addr >= start + size) {
      break;
    }
  }
  if (start < region.base || start + size > regionEnd) throw machineErrors.error('memdev.fragmented');
  return { addr: start, warnings };
}
