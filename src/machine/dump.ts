/**
 * dump-guest-memory's effect on the host: QEMU reads every guest-physical block it dumps
 * (guest_phys_blocks: initial RAM and, through the RamDiscardManager, only the plugged parts of
 * virtio-mem devices), so pages that were never populated get populated now, at whatever that
 * costs the backend behind them.
 */
import { machineGuestMemory } from './guest-memory.js';
import type { Machine } from './machine.js';
import { MEMORY_DEVICE_OPS } from './memory-device.js';

/** 0xa0000 to 0xbffff (hw/display/vga.c vga_init's vga-lowmem). */
const LEGACY_VGA_WINDOW = 128 * 1024;

export interface DumpResult {
  /** Bytes of guest memory written to the dump. */
  readonly total: number;
  /** How the QEMU process's RSS changed while reading it. */
  readonly rssDelta: number;
}

export function dumpGuestMemory(machine: Machine): DumpResult {
  const before = machine.process.status().vmRss;
  const memory = machineGuestMemory(machine);
  // guest_phys_blocks takes RAM sections only: the legacy VGA window's I/O region hides the RAM beneath.
  let total = machine.layout.firmwareBytes - (machine.hasLegacyVgaWindow() ? LEGACY_VGA_WINDOW : 0);
  for (const region of machine.layout.ram) {
    memory.read(region.base, region.size);
    total += region.size;
  }
  for (const device of machine.memoryDevices()) {
    const ops = machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!;
    const mapping = ops.ramBlock(device)?.mapping;
    for (const range of mapping ? ops.populatedRanges(device) : []) {
      mapping!.read(range.offset, range.length);
      total += range.length;
    }
  }
  machine.events.emit('DUMP_COMPLETED', { result: { total, status: 'completed', completed: total } });
  return { total, rssDelta: machine.process.status().vmRss - before };
}
