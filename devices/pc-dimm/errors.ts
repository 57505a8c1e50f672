/**
 * pc-dimm's messages (hw/mem/pc-dimm.c, hw/i386/pc.c), worded as the real 5.2, 7.2, 10.0 and
 * 11.1 binaries print them: they have not changed across those releases.
 */
import { defineErrors } from '../../src/core/errors.js';

export const pcDimmErrors = defineErrors({
  // "where" is QEMU's spelling.
  'pc-dimm.no-slots': () => "no slots where allocated, please specify the 'slots' option",
  'pc-dimm.slot-invalid': (a: { slot: number; slots: number }) => `invalid slot number ${a.slot}, valid range is [0-${a.slots - 1}]`,
  'pc-dimm.slot-busy': (a: { slot: number }) => `slot ${a.slot} is busy`,
  'pc-dimm.no-free-slot': () => 'no free slots available',
  'pc-dimm.memdev-must-be-set': () => "'memdev' property must be set",
  'pc-dimm.memdev-busy': (a: { id: string }) => `can't use already busy memdev: ${a.id}`,
  'pc-dimm.node': (a: { node: number; nodes: number }) => `'DIMM property node has value ${a.node}' which exceeds the number of numa nodes: ${a.nodes}`,
  'pc-dimm.nvdimm-unplug': () => 'nvdimm device hot unplug is not supported yet.',
});
