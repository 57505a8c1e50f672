/** pc-dimm's property table (pc_dimm_properties and the `size` instance property of pc_dimm_init). */
import type { PropertyDef } from '../../src/qom/property.js';
import { regionOf } from './memdev.js';
import { UNASSIGNED_SLOT } from './slots.js';

export const PC_DIMM_PROPERTIES: readonly PropertyDef[] = [
  { name: 'addr', type: { kind: 'uint64' }, origin: 'field', default: 0 },
  { name: 'node', type: { kind: 'uint32' }, origin: 'field', default: 0 },
  { name: 'slot', type: { kind: 'int32' }, origin: 'field', default: UNASSIGNED_SLOT },
  { name: 'memdev', type: { kind: 'link', target: 'memory-backend' }, origin: 'field' },
  {
    name: 'size',
    type: { kind: 'uint64' },
    origin: 'custom',
    readOnly: true,
    // pc_dimm_get_size reads the memory region, refusing without a memdev.
    get: (dimm) => regionOf(dimm).size,
  },
];
