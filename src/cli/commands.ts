/** Every `hotmem` subcommand, in the order `hotmem --help` lists them. */
import type { Command } from './command.js';
import { compatCommand } from './commands/compat.js';
import { demoCommand } from './commands/demo.js';
import { matrixCommand } from './commands/matrix.js';
import { migrateCheckCommand, migrateCommand } from './commands/migrate.js';
import { machinesCommand } from './commands/machines.js';
import { qemuCommand } from './commands/qemu.js';
import { runCommand } from './commands/run.js';

export const COMMANDS: readonly Command[] = [demoCommand, runCommand, qemuCommand, machinesCommand, compatCommand, migrateCommand, migrateCheckCommand, matrixCommand];
