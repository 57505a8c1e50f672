/** A DIMM's memdev and its RAMBlock: the memory region the DIMM maps (pc_dimm_get_memory_region). */
import { RAM_BLOCK, type RamBlock } from '../../src/machine/ram-block.js';
import type { QomObject } from '../../src/qom/object.js';
import { pcDimmErrors } from './errors.js';

export function memdevOf(dimm: QomObject): { readonly backend: QomObject; readonly block: RamBlock } | undefined {
  const backend = dimm.model.linkTarget(dimm, 'memdev');
  const block = backend?.slots.get(RAM_BLOCK);
  return backend && block ? { backend, block } : undefined;
}

/** The region, or QEMU's refusal when no memdev is set. */
export function regionOf(dimm: QomObject): RamBlock {
  const memdev = memdevOf(dimm);
  if (!memdev) throw pcDimmErrors.error('pc-dimm.memdev-must-be-set');
  return memdev.block;
}
