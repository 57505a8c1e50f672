/**
 * Which RAMBlock backs each guest-physical address (memory_region_find over system memory, as far
 * as RAM goes): initial RAM, laid out by the machine's RAM regions over its backends in RAM-offset
 * order (one backend, or one per NUMA node end to end, as QEMU's "ram" container holds them), then
 * the memory devices' regions. Initial RAM is fixed once the machine is built, so it is computed
 * once per machine; memory devices come and go and are read as they are now. QEMU does not check
 * what kind of RAM it finds, so a lookup finds plugged and unplugged virtio-mem memory alike (the
 * device's whole region is mapped: qemu.md §3.3).
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

export interface RamLookup {
  /** The pieces of [gpa, gpa + length) that are RAM, in address order; holes are left out. */
  pieces(gpa: number, length: number): RamPiece[];
  /**
   * The whole piece of RAM (one RAMBlock, contiguous in guest-physical space) that holds gpa, or
   * undefined in a hole: a caller walking many nearby addresses (a PFN array) looks up once per
   * piece instead of once per page.
   */
  pieceAt(gpa: number): RamPiece | undefined;
}

/** The lookup of a machine without RAM: every address is a hole. */
export const NO_RAM: RamLookup = { pieces: () => [], pieceAt: () => undefined };

/**
 * A lookup over the machine's memory as it is now. Memory devices come and go, so callers take a
 * fresh lookup per access or queue element rather than keeping one.
 */
export function machineRamLookup(machine: Machine): RamLookup {
  const initial = machine.initialRam;
  // Memory devices are looked up only for addresses initial RAM does not hold.
  let all: readonly RamPiece[] | undefined;
  const cut = (slices: readonly RamPiece[], gpa: number, end: number): RamPiece[] => {
    const out: RamPiece[] = [];
    for (const s of slices) {
      const from = Math.max(gpa, s.gpa);
      const to = Math.min(end, s.gpa + s.length);
      if (from < to) out.push({ gpa: from, length: to - from, block: s.block, offset: s.offset + (from - s.gpa) });
    }
    return out.sort((a, b) => a.gpa - b.gpa);
  };
  const holding = (slices: readonly RamPiece[], gpa: number): RamPiece | undefined => slices.find((s) => gpa >= s.gpa && gpa < s.gpa + s.length);
  return {
    pieces(gpa, length) {
      const end = gpa + length;
      const inRam = cut(initial, gpa, end);
      if (inRam.reduce((n, p) => n + p.length, 0) === length) return inRam;
      all ??= [...initial, ...deviceRamPieces(machine)];
      return cut(all, gpa, end);
    },
    pieceAt(gpa) {
      const found = holding(initial, gpa);
      if (found) return found;
      all ??= [...initial, ...deviceRamPieces(machine)];
      return holding(all, gpa);
    },
  };
}
