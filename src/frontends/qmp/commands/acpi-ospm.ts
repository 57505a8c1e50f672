/**
 * query-acpi-ospm-status: what the guest's OSPM last reported (_OST) for each hotplug slot of the
 * board's ACPI device. Memory hotplug has one slot per DIMM slot (-m slots=N) whether or not a
 * DIMM is plugged, naming the id of a pc-dimm plugged there (an NVDIMM plugs elsewhere); the CPU
 * slots follow (cpus.ts). The guest model sends no _OST, so every slot reads source 0, status 0.
 */
import type { Machine } from '../../../machine/machine.js';
import { QmpError } from '../errors.js';
import { inQdictOrder } from '../qobject.js';
import type { QmpCommand } from '../session.js';
import { acpiCpuSlots } from './cpus.js';

/** acpi_memory_ospm_status's entries, ACPIOSTInfo's members in schema order. */
function dimmSlots(machine: Machine): readonly Record<string, unknown>[] {
  const view = machine.model.view;
  const dimms = machine.memoryDevices().filter((d) => view.isA(d.type, 'pc-dimm') && !view.isA(d.type, 'nvdimm'));
  return Array.from({ length: machine.memory.slots }, (_, slot) => {
    const id = dimms.find((d) => d.get('slot') === slot)?.id;
    return { ...(id === undefined ? {} : { device: id }), slot: String(slot), 'slot-type': 'DIMM', source: 0, status: 0 };
  });
}

export const ACPI_OSPM_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-acpi-ospm-status',
    args: [],
    run: (ctx) => {
      if (!ctx.machine.family.hasAcpiDevice(ctx.machine.object)) throw new QmpError('GenericError', 'command is not supported, missing ACPI device');
      return inQdictOrder([...dimmSlots(ctx.machine), ...acpiCpuSlots(ctx.machine)]);
    },
  },
];
