/** Every `hotmem` subcommand, in the order `hotmem --help` lists them; each loads when it runs. */
import { lazyCommand, type Command } from './command.js';
import { COMPAT_INFO, DEMO_INFO, MACHINES_INFO, MATRIX_INFO, MIGRATE_CHECK_INFO, MIGRATE_INFO, QEMU_INFO, RUN_INFO } from './commands/info.js';

export const COMMANDS: readonly Command[] = [
  lazyCommand(DEMO_INFO, async () => (await import('./commands/demo.js')).demoCommand),
  lazyCommand(RUN_INFO, async () => (await import('./commands/run.js')).runCommand),
  lazyCommand(QEMU_INFO, async () => (await import('./commands/qemu.js')).qemuCommand),
  lazyCommand(MACHINES_INFO, async () => (await import('./commands/machines.js')).machinesCommand),
  lazyCommand(COMPAT_INFO, async () => (await import('./commands/compat.js')).compatCommand),
  lazyCommand(MIGRATE_INFO, async () => (await import('./commands/migrate.js')).migrateCommand),
  lazyCommand(MIGRATE_CHECK_INFO, async () => (await import('./commands/migrate.js')).migrateCheckCommand),
  lazyCommand(MATRIX_INFO, async () => (await import('./commands/matrix.js')).matrixCommand),
];
