/**
 * memory_region_find(get_system_memory(), gpa, size) as far as the balloon needs it: which
 * RAMBlock, and where in it, backs a guest-physical address. Guest RAM is initial memory (the
 * machine's RAM backend, or one backend per NUMA node laid end to end as QEMU's "ram" container
 * does, mapped at the machine's RAM regions) and the memory devices' regions. QEMU does not check
 * what kind of RAM it finds, so the balloon can discard inside plugged virtio-mem memory too
 * (qemu.md §3.3).
 */
import type { Machine } from '../../src/machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../../src/machine/memory-device.js';
import { RAM_BLOCK, type RamBlock } from '../../src/machine/ram-block.js';
import type { QomObject } from '../../src/qom/object.js';

/** A piece of guest-physical memory backed by one RAMBlock. */
export interface RamPiece {
  readonly gpa: number;
  readonly length: number;
  readonly block: RamBlock;
  readonly offset: number;
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

interface Slice {
  readonly gpa: number;
  readonly length: number;
  readonly block: RamBlock;
  readonly offset: number;
}

const blockOf = (backend: QomObject | undefined): RamBlock | undefined => backend?.slots.get(RAM_BLOCK);

/** The backends initial RAM is made of, with each one's offset in the "ram" container. */
function initialRamBackends(machine: Machine): { offset: number; block: RamBlock }[] {
  const model = machine.model;
  const main = model.linkTarget(machine.object, 'memory-backend') ?? model.container('/objects').child(machine.family.defaultRamId);
  const mainBlock = blockOf(main);
  if (mainBlock) return [{ offset: 0, block: mainBlock }];
  const out: { offset: number; block: RamBlock }[] = [];
  let offset = 0;
  for (const node of machine.numaNodes) {
    const block = blockOf(node.memdev);
    if (!block) continue;
    out.push({ offset, block });
    offset += block.size;
  }
  return out;
}

function initialSlices(machine: Machine): Slice[] {
  const out: Slice[] = [];
  const backends = initialRamBackends(machine);
  for (const region of machine.layout.ram) {
    for (const b of backends) {
      // The part of this region that falls into this backend's part of the container.
      const start = Math.max(region.offset, b.offset);
      const end = Math.min(region.offset + region.size, b.offset + b.block.size);
      if (start < end) out.push({ gpa: region.base + (start - region.offset), length: end - start, block: b.block, offset: start - b.offset });
    }
  }
  return out;
}

function deviceSlices(machine: Machine): Slice[] {
  const out: Slice[] = [];
  for (const device of machine.memoryDevices()) {
    const ops = machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!;
    const block = blockOf(machine.model.linkTarget(device, 'memdev'));
    if (block) out.push({ gpa: ops.addr(device), length: block.size, block, offset: 0 });
  }
  return out;
}

/**
 * A lookup over the machine's memory as it is now. Memory devices come and go, so callers take a
 * fresh lookup per queue element rather than keeping one.
 */
export function machineRamLookup(machine: Machine): RamLookup {
  const initial = initialSlices(machine);
  // Memory devices are looked up only for addresses initial RAM does not hold.
  let all: Slice[] | undefined;
  const cut = (slices: readonly Slice[], gpa: number, end: number): RamPiece[] => {
    const out: RamPiece[] = [];
    for (const s of slices) {
      const from = Math.max(gpa, s.gpa);
      const to = Math.min(end, s.gpa + s.length);
      if (from < to) out.push({ gpa: from, length: to - from, block: s.block, offset: s.offset + (from - s.gpa) });
    }
    return out.sort((a, b) => a.gpa - b.gpa);
  };
  const holding = (slices: readonly Slice[], gpa: number): Slice | undefined => slices.find((s) => gpa >= s.gpa && gpa < s.gpa + s.length);
  return {
    pieces(gpa, length) {
      const end = gpa + length;
      const inRam = cut(initial, gpa, end);
      if (inRam.reduce((n, p) => n + p.length, 0) === length) return inRam;
      all ??= [...initial, ...deviceSlices(machine)];
      return cut(all, gpa, end);
    },
    pieceAt(gpa) {
      const found = holding(initial, gpa);
      if (found) return found;
      all ??= [...initial, ...deviceSlices(machine)];
      return holding(all, gpa);
    },
  };
}
