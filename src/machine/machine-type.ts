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
    // The board reads it when it builds its buses (its USB controllers take PCI slots).
    { name: 'usb', type: { kind: 'bool' }, origin: 'custom', default: false, description: 'Set on/off to enable/disable usb' },
    // machine_get_smp (6.1, "machine: add smp compound property"): the topology as computed,
    // every member of the release's SMPConfiguration; the machine stores it as JSON once known.
    {
      name: 'smp',
      type: { kind: 'str' },
      typeName: 'SMPConfiguration',
      origin: 'custom',
      since: '6.1',
      readOnly: true,
      description: 'CPU topology',
      visit: (value) => JSON.parse(String(value)) as unknown,
    },
    // Guest RAM without MADV_DONTDUMP in QEMU's own core dump: the host model keeps no core dumps, so nothing reads it.
    { name: 'dump-guest-core', type: { kind: 'bool' }, origin: 'custom', default: true, description: 'Include guest memory in a core dump' },
  ],
};
