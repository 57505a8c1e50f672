/**
 * The RAMBlocks a machine migrates and the block list the RAM section's setup sends
 * (migration/ram.c ram_save_setup, RAM_SAVE_FLAG_MEM_SIZE): every memory backend something
 * maps (vmstate_register_ram marks exactly those migratable), in QEMU's ram_list order —
 * biggest to smallest (softmmu/physmem.c ram_block_add), creation order among equals.
 */
import type { FirmwareBlock } from '../machine/family.js';
import type { Machine } from '../machine/machine.js';
import { MEMORY_BACKEND_TYPE, MEMORY_BACKEND_USE } from '../machine/backend-use.js';
import { RAM_BLOCK, type RamBlock } from '../machine/ram-block.js';
import type { Mapping } from '../host/mapping.js';
import type { QomObject } from '../qom/object.js';
import { migrationErrors } from './errors.js';
import { PageRanges } from './page-ranges.js';
import { RAM_DISCARD_MANAGER, type RamDiscardManager } from './ram-discard-manager.js';

export interface MigratableBlock {
  readonly idstr: string;
  readonly block: RamBlock;
  readonly mapping: Mapping;
  /** The unit pages are tracked and sent in: the block's page size. */
  readonly pageSize: number;
  readonly pageCount: number;
  /** The device managing which parts of the block are populated (virtio-mem), if any. */
  readonly discard: { readonly obj: QomObject; readonly manager: RamDiscardManager } | undefined;
}

export function migratableBlocks(machine: Machine): MigratableBlock[] {
  const model = machine.model;
  const managers = new Map<RamBlock, { obj: QomObject; manager: RamDiscardManager }>();
  for (const obj of model.objectsOfType('device')) {
    const manager = model.view.implementation(obj.type, RAM_DISCARD_MANAGER);
    const block = manager?.block(obj);
    if (manager && block) managers.set(block, { obj, manager });
  }
  const blocks: MigratableBlock[] = [];
  for (const backend of model.objectsOfType(MEMORY_BACKEND_TYPE)) {
    const block = backend.slots.get(RAM_BLOCK);
    const use = model.view.implementation(backend.type, MEMORY_BACKEND_USE);
    if (!block || !use?.isMapped(backend)) continue;
    if (!block.mapping) throw new Error(`internal: RAMBlock '${block.idstr}' has no host mapping`);
    blocks.push({
      idstr: block.idstr,
      block,
      mapping: block.mapping,
      pageSize: block.pageSize,
      pageCount: block.size / block.pageSize,
      discard: managers.get(block),
    });
  }
  return blocks.sort((a, b) => b.block.size - a.block.size);
}

/** Pages of the block its discard manager reports discarded (everything not populated). */
export function discardedPages(b: MigratableBlock): PageRanges {
  const out = new PageRanges();
  if (!b.discard) return out;
  out.add(0, b.pageCount);
  for (const r of b.discard.manager.populated(b.discard.obj)) out.remove(r.offset / b.pageSize, (r.offset + r.length) / b.pageSize);
  return out;
}

/**
 * The destination's half of RAM_SAVE_FLAG_MEM_SIZE: every incoming block must exist with the
 * same length (the modelled blocks are not resizeable), and for postcopy huge-page blocks the
 * same page size. Throws QEMU's message; returns the destination block for each source block.
 */
export function matchBlocks(
  source: readonly MigratableBlock[],
  destination: readonly MigratableBlock[],
  postcopy: boolean,
  hostPageSize: number,
): MigratableBlock[] {
  return source.map((s) => {
    const d = destination.find((b) => b.idstr === s.idstr);
    if (!d) throw migrationErrors.error('migration.unknown-ramblock', { idstr: s.idstr });
    if (d.block.size !== s.block.size) throw migrationErrors.error('migration.ramblock-size', { idstr: s.idstr, incoming: s.block.size, local: d.block.size });
    if (postcopy && d.pageSize !== hostPageSize && d.pageSize !== s.pageSize) {
      throw migrationErrors.error('migration.ramblock-page-size', { idstr: s.idstr, local: d.pageSize, incoming: s.pageSize });
    }
    return d;
  });
}

/**
 * The destination's half of the block list for the board's firmware blocks: each must exist
 * there (acpi=off on one side only leaves its ACPI blobs unknown). Their lengths are the machine
 * type's on both sides; QEMU resizes the resizeable ones anyway.
 */
export function matchFirmwareBlocks(source: readonly FirmwareBlock[], destination: readonly FirmwareBlock[]): void {
  const there = new Set(destination.map((b) => b.idstr));
  const unknown = source.find((b) => !there.has(b.idstr));
  if (unknown) throw migrationErrors.error('migration.unknown-ramblock', { idstr: unknown.idstr });
}

/**
 * Bytes the block list takes: the MEM_SIZE header, then per block its name, length and
 * (postcopy, huge pages) page size; firmware blocks have the host's page size.
 */
export function blockListBytes(blocks: readonly MigratableBlock[], firmware: readonly FirmwareBlock[], postcopy: boolean, hostPageSize: number): number {
  const entry = (idstr: string) => 1 + idstr.length + 8;
  const backends = blocks.reduce((n, b) => n + entry(b.idstr) + (postcopy && b.pageSize !== hostPageSize ? 8 : 0), 0);
  return 8 + backends + firmware.reduce((n, b) => n + entry(b.idstr), 0);
}
