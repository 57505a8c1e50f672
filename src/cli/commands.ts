/** Every `hotmem` subcommand, in the order `hotmem --help` lists them. */
import type { Command } from './command.js';
import { machinesCommand } from './commands/machines.js';
import { qemuCommand } from './commands/qemu.js';

export const COMMANDS: readonly Command[] = [qemuCommand, machinesCommand];
