/**
 * `-machine help` as QEMU prints it (machine_help_func and machine_class_cmp in softmmu/vl.c,
 * system/vl.c from 8.2; unchanged from 5.1 to 10.2).
 */
import type { MachineType } from './types.js';

/** The QOM type name QEMU sorts by: the machine name plus TYPE_MACHINE_SUFFIX. */
const typeName = (m: MachineType): string => `${m.name}-machine`;

/** strcmp on ASCII names, which is what JavaScript's < does on them. */
const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * machine_class_cmp: machines with a family first, families in increasing order, and within a
 * family names in decreasing strcmp order (so pc-i440fx-2.10 sorts before pc-i440fx-2.1 and after
 * pc-i440fx-2.2); machines without a family last, in increasing order.
 */
export function machineHelpOrder(a: MachineType, b: MachineType): number {
  if (a.family === null) return b.family === null ? strcmp(typeName(a), typeName(b)) : 1;
  if (b.family === null) return -1;
  return strcmp(a.family, b.family) || strcmp(typeName(b), typeName(a));
}

/** printf("%-20s ...") pads to 20 columns and never truncates. */
const column = (text: string): string => text.padEnd(20);

/** The text `-machine help` writes to stdout for these machine types, in any order. */
export function formatMachineHelp(machines: readonly MachineType[]): string {
  const lines = ['Supported machines are:'];
  for (const m of [...machines].sort(machineHelpOrder)) {
    if (m.alias !== null) lines.push(`${column(m.alias)} ${m.desc} (alias of ${m.name})`);
    lines.push(`${column(m.name)} ${m.desc}${m.isDefault ? ' (default)' : ''}${m.deprecated ? ' (deprecated)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
