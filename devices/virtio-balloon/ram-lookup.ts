/**
 * memory_region_find(get_system_memory(), gpa, size) as far as the balloon needs it: which
 * RAMBlock, and where in it, backs a guest-physical address. Guest RAM is initial memory (the
 * machine's RAM backend, or one backend per NUMA node laid end to end as QEMU's "ram" container
 * does, mapped at the machine's RAM regions) and the memory devices' regions. QEMU does not check
 * what kind of RAM it finds, so the balloon can discard inside plugged virtio-mem memory too
 * (qemu.md §3.3).
 */
import type { Machine } from '../../src/machine/machine.js';
import { deviceRamPieces, type RamPiece } from '../../src/machine/ram-map.js';

export type { RamPiece };

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
 * fresh lookup per queue element rather than keeping one.
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
