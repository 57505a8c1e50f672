/**
 * The `hotmem` command: global options, subcommand dispatch and exit statuses. Each later layer
 * adds a subcommand to COMMANDS and nothing else.
 */
import { HotmemError } from '../core/errors.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from './command.js';
import { COMMANDS } from './commands.js';
import { hotmemVersion } from './version.js';

export function mainUsage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: hotmem <command> [options]',
    '',
    'Model VM memory devices (virtio-mem, virtio-balloon, memory backends) the way QEMU and',
    'Linux run them, and account for every byte the host spends.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (or `hotmem <command> --help`)',
    '  -V, --version  print the hotmem version',
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? topic.usage : mainUsage(commands));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '-V' || first === '--version') {
    io.out(`hotmem ${hotmemVersion()}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`hotmem: unknown command '${first}'\n\n${mainUsage(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') && command.name !== 'qemu') {
    io.out(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`hotmem ${command.name}: ${e.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    if (e instanceof HotmemError) {
      io.err(`hotmem ${command.name}: ${e.message}\n`);
      return EXIT_ERROR;
    }
    throw e;
  }
}
