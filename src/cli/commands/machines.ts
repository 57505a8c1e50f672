import { parseArgs } from '../args.js';
import { BINARY_OPTIONS, binaryTarget, machineHelp } from '../binary-target.js';
import { UsageError, type Command } from '../command.js';
import { MACHINES_INFO } from './info.js';

export const machinesCommand: Command = {
  ...MACHINES_INFO,
  run(args, io) {
    const parsed = parseArgs(args, BINARY_OPTIONS);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]!}'`);
    io.out(machineHelp(binaryTarget(parsed.options)));
    return 0;
  },
};
