/**
 * The memory-device interface (QEMU's MemoryDeviceClass): what a device that occupies part of the
 * device-memory region tells the machine. Devices implement it through their type's
 * implementations; the machine never knows which device it is talking to.
 */
import { key } from '../core/keys.js';
import type { QomObject } from '../qom/object.js';
import type { RamBlock } from './ram-block.js';

export const MEMORY_DEVICE_INTERFACE = 'memory-device';

/** One entry of query-memory-devices, as the device fills it. */
export interface MemoryDeviceInfo {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What the machine tells a device's own pre-plug. */
export interface MemoryDevicePlugContext {
  /** machine->ram_slots: the DIMM slots of `-m slots=N`. */
  readonly ramSlots: number;
}

export interface MemoryDeviceOps {
  /**
   * The device's own pre-plug, run by the machine's hotplug handler before an address is
   * assigned (pc_dimm_pre_plug takes a DIMM slot); throws QEMU's refusal.
   */
  prePlug?(device: QomObject, machine: MemoryDevicePlugContext): void;
  /** The guest-physical address (0 until assigned, unless the user set memaddr). */
  addr(device: QomObject): number;
  setAddr(device: QomObject, addr: number): void;
  /** The size of the memory region it maps; throws the device's error when it has none. */
  regionSize(device: QomObject): number;
  /** memory_region_get_alignment: the backend's page size for RAM regions. */
  regionAlignment(device: QomObject): number;
  /** get_min_alignment (virtio-mem: its block size). */
  minAlignment?(device: QomObject): number;
  pluggedSize(device: QomObject): number;
  /**
   * The parts of the region that hold guest memory (RamDiscardManager's populated parts): what
   * dumps, migration and storage-key code walk. All of it for a plain memory device.
   */
  populatedRanges(device: QomObject): ReadonlyArray<{ readonly offset: number; readonly length: number }>;
  /** The RAMBlock behind the device's region, where guest accesses land. */
  ramBlock(device: QomObject): RamBlock | undefined;
  /** The machine's unplug_request for this device: throws QEMU's refusal. */
  unplugRequest?(device: QomObject): void;
  info(device: QomObject): MemoryDeviceInfo;
}

export const MEMORY_DEVICE_OPS = key<MemoryDeviceOps>('memory-device ops');
