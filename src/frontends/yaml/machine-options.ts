/**
 * MachineDefinition → the MachineOptions Machine.start takes: the same options a QEMU command
 * line produces (-machine, -m, -global, -object, -numa, -device), so a definition and the
 * equivalent command line start the same Machine. Each item's location is its `file:line:column`,
 * which Machine puts before its start-up errors where QEMU would name the option.
 */
import type { MachineOptions, StartupItem } from '../../machine/machine.js';
import type { DeviceEntry, MachineDefinition, MachineSection, NumaEntry, ObjectEntry } from './definition.js';
import { formatPosition } from './errors.js';
import { qemuSizeText } from './sizes.js';

/** QemuOpts escapes a comma inside a value by doubling it. */
export const optsEscape = (text: string): string => text.replaceAll(',', ',,');
const nameValue = (props: ObjectEntry['props']) => props.map((p) => ({ name: p.name, value: p.value }));

/** The -object item for an entry (also what an object-add step creates). */
export function objectItem(entry: ObjectEntry): StartupItem {
  return { kind: 'object', type: entry.type, id: entry.id, props: nameValue(entry.props), location: formatPosition(entry.position) };
}

/** The -device item for an entry (also what a device-add step plugs). */
export function deviceItem(entry: DeviceEntry): StartupItem {
  return {
    kind: 'device',
    driver: entry.driver,
    ...(entry.id === undefined ? {} : { id: entry.id }),
    ...(entry.bus === undefined ? {} : { bus: entry.bus }),
    props: nameValue(entry.props),
    location: formatPosition(entry.position),
  };
}

function numaItem(node: NumaEntry): StartupItem {
  const parts = ['node'];
  if (node.nodeid !== undefined) parts.push(`nodeid=${node.nodeid}`);
  if (node.memdev !== undefined) parts.push(`memdev=${optsEscape(node.memdev)}`);
  if (node.mem !== undefined) parts.push(`mem=${qemuSizeText(node.mem)}`);
  return { kind: 'numa', text: parts.join(','), location: formatPosition(node.position) };
}

/** The -m argument, sizes with a unit since -m reads a bare number as MiB; undefined without any. */
export function memoryOption(machine: MachineSection): string | undefined {
  const parts: string[] = [];
  if (machine.memory !== undefined) parts.push(`size=${qemuSizeText(machine.memory)}`);
  if (machine.slots !== undefined) parts.push(`slots=${machine.slots}`);
  if (machine.maxmem !== undefined) parts.push(`maxmem=${qemuSizeText(machine.maxmem)}`);
  return parts.length === 0 ? undefined : parts.join(',');
}

export function toMachineOptions(def: MachineDefinition): MachineOptions {
  const m = def.machine;
  const memory = memoryOption(m);
  const machineProps = [...(m.memoryBackend === undefined ? [] : [{ name: 'memory-backend', value: m.memoryBackend }]), ...nameValue(m.properties)];
  return {
    release: def.host.qemu,
    arch: def.host.arch,
    ...(m.type === undefined ? {} : { machine: m.type }),
    ...(m.accel === undefined ? {} : { accel: m.accel }),
    machineProps,
    ...(memory === undefined ? {} : { memory, memoryLocation: formatPosition(m.memoryPosition) }),
    globals: def.globals.map((g) => g.text),
    items: [...def.objects.map(objectItem), ...m.numa.map(numaItem), ...def.devices.map(deviceItem)],
  };
}
