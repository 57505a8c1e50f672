import { resolve } from 'node:path';
import { loadDefinitionFile } from '../../frontends/yaml/load.js';
import { startDefinition } from '../../frontends/yaml/run.js';
import { checkMigration } from '../../migration/check.js';
import { migrate } from '../../migration/engine.js';
import type { MigrateOptions } from '../../migration/options.js';
import type { MigrationOutcome } from '../../migration/outcome.js';
import type { LinuxGuest } from '../../guest/linux-guest.js';
import type { Machine } from '../../machine/machine.js';
import { parseArgs } from '../args.js';
import { UsageError, type Command } from '../command.js';
import { MIGRATE_CHECK_INFO, MIGRATE_INFO } from './info.js';
import { RUN_ENVIRONMENT } from './run.js';

const GiB = 1024 ** 3;
const size = (bytes: number): string => `${(bytes / GiB).toFixed(2)} GiB`;

/**
 * Starts both definitions on their own hosts; the source's guest (as `hotmem run` attaches it)
 * boots and settles there. The destination only receives: its guest is the one that migrates.
 */
function startPair(args: readonly string[]): { source: Machine; destination: Machine; guest: LinuxGuest | undefined } {
  const [src, dst] = args.map((f) => loadDefinitionFile(resolve(f)));
  const source = startDefinition(src!, RUN_ENVIRONMENT).machine;
  const destination = startDefinition(dst!, RUN_ENVIRONMENT).machine;
  const guest = RUN_ENVIRONMENT.attachGuest(source, src!);
  guest?.settle();
  return { source, destination, guest };
}

/**
 * Migrates the source to the destination. Once it completed the guest runs on the destination,
 * as a real guest's state travels in its RAM (hotmem qemu's migration moves it the same way),
 * and runs on there until it is idle; otherwise it stays on the source.
 */
export function migratePair(
  args: readonly string[],
  options: MigrateOptions,
): { source: Machine; destination: Machine; guest: LinuxGuest | undefined; outcome: MigrationOutcome } {
  const { source, destination, guest } = startPair(args);
  const outcome = migrate(source, destination, options);
  if (outcome.kind === 'completed' && guest) {
    guest.vm.moveTo(destination);
    guest.settle();
  }
  return { source, destination, guest, outcome };
}

function describeOutcome(outcome: MigrationOutcome): string[] {
  const s = outcome.stats;
  const lines = [
    `transfer: ${size(s.totalBytes)} on the wire, ${s.normalPages} pages sent, ${s.zeroPages} zero pages, ${s.discardedPagesSkipped} unplugged pages skipped, ${s.dirtySyncs} dirty syncs`,
  ];
  switch (outcome.kind) {
    case 'completed':
      return ['migration completed', ...lines];
    case 'failed':
      return [`migration failed on the ${outcome.side}: ${outcome.message}`, ...(outcome.explanation ? [`  why: ${outcome.explanation}`] : []), ...lines];
    case 'hung':
      return [
        `migration hung: ${outcome.page.block}+0x${outcome.page.offset.toString(16)} faulted again and nobody will answer (${outcome.cause}, ${outcome.kernel}: ${outcome.era})`,
        `  ${outcome.detail}`,
        ...lines,
      ];
    default: {
      const exhaustive: never = outcome;
      return exhaustive;
    }
  }
}

export const migrateCommand: Command = {
  ...MIGRATE_INFO,
  run(args, io) {
    const parsed = parseArgs(args, [
      { name: 'postcopy', takesValue: false },
      { name: 'bandwidth', takesValue: true },
    ]);
    if (parsed.positionals.length !== 2) throw new UsageError('expects SRC.yaml DST.yaml');
    const bandwidth = Number(parsed.options.get('bandwidth') ?? 1.25e9);
    if (!(bandwidth > 0)) throw new UsageError(`--bandwidth must be a positive number of bytes per second`);
    const { source, destination, guest, outcome } = migratePair(parsed.positionals, {
      bandwidth,
      maxBandwidth: bandwidth,
      ...(parsed.options.has('postcopy') ? { postcopy: { startAfter: 0 } } : {}),
    });
    for (const line of describeOutcome(outcome)) io.out(`${line}\n`);
    if (guest) io.out(`guest (${guest.name}): runs on the ${guest.machine === destination ? 'destination' : 'source'}\n`);
    io.out(`source (${source.type.name}): RSS ${size(source.process.status().vmRss)}, host ${size(source.process.host.totalBytes)}\n`);
    io.out(`destination (${destination.type.name}): RSS ${size(destination.process.status().vmRss)}, host ${size(destination.process.host.totalBytes)}\n`);
    return outcome.kind === 'completed' ? 0 : 1;
  },
};

export const migrateCheckCommand: Command = {
  ...MIGRATE_CHECK_INFO,
  run(args, io) {
    const parsed = parseArgs(args, [{ name: 'postcopy', takesValue: false }]);
    if (parsed.positionals.length !== 2) throw new UsageError('expects SRC.yaml DST.yaml');
    const { source, destination } = startPair(parsed.positionals);
    const prediction = checkMigration(source, destination, { postcopy: parsed.options.has('postcopy') });
    if (prediction.kind === 'compatible') {
      io.out(`compatible${prediction.risks.length > 0 ? '' : '\n'}`);
      for (const risk of prediction.risks) io.out(`\n  risk: ${risk}`);
      if (prediction.risks.length > 0) io.out('\n');
      return 0;
    }
    io.out(`incompatible at ${prediction.phase}: ${prediction.message}\n${prediction.explanation ? `  why: ${prediction.explanation}\n` : ''}`);
    return 1;
  },
};
