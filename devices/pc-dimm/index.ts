/**
 * pc-dimm as a QOM type: a memory device on no bus whose region is its memdev's memory, all of
 * it plugged (hw/mem/pc-dimm.c). The machine's hotplug handler gives it a DIMM slot and an
 * address in the device-memory region before it realizes; once realized its backend is guest
 * RAM like initial memory, which the guest's accesses cost on the host.
 */
import { MACHINE_SERVICE } from '../../src/machine/machine.js';
import { linkedMemdev, MEMORY_BACKEND_USE, type LinkedMemdev } from '../../src/machine/backend-use.js';
import { MEMORY_DEVICE_OPS, type MemoryDeviceOps } from '../../src/machine/memory-device.js';
import { registerRam, unregisterRam } from '../../src/machine/ram-block.js';
import type { QomObject } from '../../src/qom/object.js';
import { implement, type TypeInfo } from '../../src/qom/type-info.js';
import { pcDimmErrors } from './errors.js';
import { DIMM_REGION, regionOf } from './memdev.js';
import { PC_DIMM_PROPERTIES } from './properties.js';
import { freeSlot } from './slots.js';

export const PC_DIMM_TYPE = 'pc-dimm';
export const NVDIMM_TYPE = 'nvdimm';

const setNumber = (dimm: QomObject, property: string, value: number) =>
  void dimm.model.setProperty(dimm, property, { source: 'text', text: String(value), visitor: 'string' });

/** pc_dimm_realize: the memdev must be free and the node must exist; then the memdev is taken. */
function realize(dimm: QomObject): void {
  const { backend, block } = linkedMemdev(dimm)!;
  const use = dimm.model.view.implementation(backend.type, MEMORY_BACKEND_USE)!;
  if (use.isMapped(backend)) throw pcDimmErrors.error('pc-dimm.memdev-busy', { id: backend.id ?? '' });
  const nodes = dimm.model.services.get(MACHINE_SERVICE)?.numaNodes.length ?? 0;
  const node = dimm.get('node') as number;
  if ((nodes > 0 && node >= nodes) || (nodes === 0 && node > 0)) throw pcDimmErrors.error('pc-dimm.node', { node, nodes: nodes || 1 });
  use.setMapped(backend, true);
  // pc_dimm_plug's vmstate_register_ram: a DIMM sits on no bus, so the block keeps its own name.
  registerRam(block, undefined);
}

function unrealize(dimm: QomObject): void {
  const memdev = linkedMemdev(dimm);
  if (!memdev) return;
  unregisterRam(memdev.block);
  dimm.model.view.implementation(memdev.backend.type, MEMORY_BACKEND_USE)!.setMapped(memdev.backend, false);
}

const MEMORY_DEVICE: MemoryDeviceOps = {
  // pc_dimm_pre_plug: the slot first, so a full machine refuses before the memdev is looked at.
  prePlug: (dimm, machine) => {
    const used = new Set(
      dimm.model
        .objectsOfType(PC_DIMM_TYPE)
        .filter((d) => d.realized)
        .map((d) => d.get('slot') as number),
    );
    setNumber(dimm, 'slot', freeSlot(dimm.get('slot') as number, machine.ramSlots, used));
  },
  addr: (dimm) => dimm.get('addr') as number,
  setAddr: (dimm, addr) => setNumber(dimm, 'addr', addr),
  regionSize: (dimm) => regionOf(dimm).size,
  regionAlignment: (dimm) => regionOf(dimm).alignment,
  // A DIMM's whole region is plugged.
  pluggedSize: (dimm) => regionOf(dimm).size,
  ramBlock: (dimm) => linkedMemdev(dimm)?.block,
  populatedRanges: (dimm) => [{ offset: 0, length: regionOf(dimm).size }],
  // pc_memory_unplug_request: the board refuses an NVDIMM; a DIMM waits for the guest's ACPI eject.
  unplugRequest: (dimm) => {
    if (dimm.model.view.isA(dimm.type, NVDIMM_TYPE)) throw pcDimmErrors.error('pc-dimm.nvdimm-unplug');
  },
  info: (dimm) => ({
    type: dimm.model.view.isA(dimm.type, NVDIMM_TYPE) ? 'nvdimm' : 'dimm',
    data: {
      ...(dimm.id === undefined ? {} : { id: dimm.id }),
      hotplugged: dimm.hotplugged,
      // DeviceClass.hotpluggable of the DIMM's class.
      hotpluggable: dimm.model.view.hotpluggable(dimm.type),
      addr: dimm.get('addr'),
      slot: dimm.get('slot'),
      node: dimm.get('node'),
      size: regionOf(dimm).size,
      memdev: dimm.get('memdev'),
    },
  }),
};

export const PC_DIMM_TYPES: readonly TypeInfo[] = [
  {
    name: PC_DIMM_TYPE,
    parent: 'device',
    // Registered by x86 builds (CONFIG_PC_DIMM comes with memory hotplug on pc).
    targets: ['x86_64'],
    interfaces: ['memory-device'],
    userCreatable: true,
    hotpluggable: true,
    properties: PC_DIMM_PROPERTIES,
    implementations: [
      implement(MEMORY_DEVICE_OPS, MEMORY_DEVICE),
      implement(DIMM_REGION, (_dimm: QomObject, memdev: LinkedMemdev, alignment: number) => ({ size: memdev.block.size, alignment })),
    ],
    realize,
    unrealize,
  },
];
