/**
 * Which RAMBlock backs each guest-physical address (memory_region_find over system memory, as far
 * as RAM goes): initial RAM, laid out by the machine's RAM regions over its backends in RAM-offset
 * order (one backend, or one per NUMA node end to end, as QEMU's "ram" container holds them), then
 * the memory devices' regions. Initial RAM is fixed once the machine is built, so it is computed
 * once per machine; memory devices come and go and are read as they are now.
 */
import type { MemoryLayout } from './family.js';
import { MEMORY_DEVICE_OPS } from './memory-device.js';
import { RAM_BLOCK, type RamBlock } from './ram-block.js';
import type { QomObject } from '../qom/object.js';
import type { Machine } from './machine.js';

/** A stretch of guest-physical memory backed by one RAMBlock, from `offset` in it. */
export interface RamPiece {
  readonly gpa: number;
  readonly length: number;
  readonly block: RamBlock;
  readonly offset: number;
}

export function initialRamPieces(layout: MemoryLayout, ramBackends: readonly QomObject[]): readonly RamPiece[] {
  const pieces: RamPiece[] = [];
  let backendStart = 0;
  const backends = ramBackends.flatMap((backend) => {
    const block = backend.slots.get(RAM_BLOCK);
    if (!block) return [];
    const entry = { start: backendStart, block };
    backendStart += block.size;
    return [entry];
  });
  for (const region of layout.ram) {
    for (const { start, block } of backends) {
      const from = Math.max(region.offset, start);
      const to = Math.min(region.offset + region.size, start + block.size);
      if (from < to) pieces.push({ gpa: region.base + (from - region.offset), length: to - from, block, offset: from - start });
    }
  }
  return pieces;
}

export function deviceRamPieces(machine: Machine): readonly RamPiece[] {
  return machine.memoryDevices().flatMap((device) => {
    const ops = machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!;
    const block = ops.ramBlock(device);
    // The device's region, which may map less than its block (an nvdimm's label is not guest RAM).
    return block ? [{ gpa: ops.addr(device), length: ops.regionSize(device), block, offset: 0 }] : [];
  });
}
