import { parseArgs } from '../args.js';
import { BINARY_OPTIONS, qemuBinary } from '../binary.js';
import { UsageError, type Command } from '../command.js';

export const machinesCommand: Command = {
  name: 'machines',
  summary: 'list the machine types of a QEMU release, as `-machine help` prints them',
  usage: [
    'Usage: hotmem machines [--qemu-version X.Y] [--arch x86_64|s390x]',
    '',
    'Prints what qemu-system-<arch> of that release prints for `-machine help`, for a binary',
    'built with the default configuration. The release defaults to the newest modelled one.',
    '',
  ].join('\n'),
  run(args, io) {
    const parsed = parseArgs(args, BINARY_OPTIONS);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    io.out(qemuBinary(parsed.options).machineHelp());
    return 0;
  },
};
