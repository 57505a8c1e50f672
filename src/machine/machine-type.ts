/** The abstract QOM `machine` type every machine type descends from (hw/core/machine.c). */
import type { TypeInfo } from '../qom/type-info.js';
import { MEMORY_BACKEND_TYPE } from './backend-use.js';

export const MACHINE_BASE_TYPE: TypeInfo = {
  name: 'machine',
  parent: 'object',
  abstract: true,
  properties: [
    {
      name: 'memory-backend',
      type: { kind: 'link', target: MEMORY_BACKEND_TYPE },
      origin: 'custom',
      description: 'Set RAM backendValid value is ID of hostmem based backend',
    },
  ],
};
