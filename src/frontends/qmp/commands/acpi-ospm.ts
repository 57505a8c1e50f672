/**
 * query-acpi-ospm-status: what the guest's OSPM last reported (_OST) for each hotplug slot of the
 * board's ACPI device. Memory hotplug has one slot per DIMM slot (-m slots=N) whether or not a
 * DIMM is plugged; the guest model sends no _OST, so every slot reads source 0, status 0.
 */
import { QmpError } from '../errors.js';
import { inQdictOrder } from '../qobject.js';
import type { QmpCommand } from '../session.js';

export const ACPI_OSPM_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-acpi-ospm-status',
    args: [],
    run: (ctx) => {
      if (!ctx.machine.family.hasAcpiDevice(ctx.machine.object)) throw new QmpError('GenericError', 'command is not supported, missing ACPI device');
      // ACPIOSTInfo's members in schema order (device is absent: the slot has no device id).
      return inQdictOrder(Array.from({ length: ctx.machine.memory.slots }, (_, slot) => ({ slot: String(slot), 'slot-type': 'DIMM', source: 0, status: 0 })));
    },
  },
];
