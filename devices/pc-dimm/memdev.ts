/**
 * A DIMM's memdev and the memory region it maps (PCDIMMDeviceClass get_memory_region): a
 * pc-dimm maps its whole memdev; an nvdimm maps less (its label sits at the end).
 */
import { key } from '../../src/core/keys.js';
import { hostArchOf } from '../../src/machine/host-process.js';
import { linkedMemdev, type LinkedMemdev } from '../../src/machine/backend-use.js';
import { ramRegionAlignment } from '../../src/machine/ram-block.js';
import type { QomObject } from '../../src/qom/object.js';
import { pcDimmErrors } from './errors.js';

/** The region a DIMM maps: its size and memory_region_get_alignment. */
export interface DimmRegion {
  readonly size: number;
  readonly alignment: number;
}

/** A DIMM type's get_memory_region, given its memdev and the memdev's own alignment. */
export const DIMM_REGION = key<(dimm: QomObject, memdev: LinkedMemdev, alignment: number) => DimmRegion>('dimm region');

/** The region, or QEMU's refusal when no memdev is set. */
export function regionOf(dimm: QomObject): DimmRegion {
  const memdev = linkedMemdev(dimm);
  if (!memdev) throw pcDimmErrors.error('pc-dimm.memdev-must-be-set');
  const alignment = ramRegionAlignment(memdev.block, hostArchOf(dimm));
  return dimm.model.view.implementation(dimm.type, DIMM_REGION)!(dimm, memdev, alignment);
}
