import { resolve } from 'node:path';
import { loadDefinitionFile } from '../../frontends/yaml/load.js';
import { runDefinition, type RunEnvironment, type RunReport } from '../../frontends/yaml/run.js';
import type { MachineDefinition } from '../../frontends/yaml/definition.js';
import { releaseName } from '../../core/release.js';
import { parseArgs } from '../args.js';
import { qemuBinary } from '../binary.js';
import { UsageError, type Command } from '../command.js';
import { attachLinuxGuest } from '../guest.js';

const GiB = 1024 ** 3;
const size = (bytes: number): string => (bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** How hotmem's front ends run a definition: the modelled binary of its host, its Linux guest. */
export const RUN_ENVIRONMENT: RunEnvironment = {
  machineEnvironment: (def: MachineDefinition) =>
    qemuBinary(new Map([['qemu-version', releaseName(def.host.qemu)], ['arch', def.host.arch]])).environment,
  attachGuest: (machine, def) =>
    def.guest
      ? attachLinuxGuest(machine, {
          kernel: `${def.guest.kernel.major}.${def.guest.kernel.minor}`,
          ...(def.guest.memhpDefaultState && def.guest.memhpDefaultState !== 'offline' ? { onlinePolicy: def.guest.memhpDefaultState } : {}),
        })
      : undefined,
};

export function formatReport(report: RunReport): string {
  const lines = [`${report.file}: machine ${report.machine}`];
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  const width = Math.max(...report.steps.map((s) => s.step.length + s.at.length + 3));
  for (const s of report.steps) {
    lines.push(`  ${`${s.step} (${s.at})`.padEnd(width)}  rss ${size(s.rss).padStart(10)}  host ${size(s.host).padStart(10)}  ${s.result}`);
    for (const f of s.failures) lines.push(`    FAILED ${f}`);
  }
  lines.push(report.failures === 0 ? '  all expectations hold' : `  ${report.failures} expectation(s) failed`);
  return `${lines.join('\n')}\n`;
}

export const runCommand: Command = {
  name: 'run',
  summary: "run a YAML machine definition's scenario and check its expectations",
  usage: [
    'Usage: hotmem run FILE.yaml [--json]',
    '',
    'Starts the machine the file describes on its host, attaches its guest, runs its steps and',
    'prints what each did and cost. Exits 1 when an expectation fails or the file is invalid.',
    '',
  ].join('\n'),
  run(args, io) {
    const parsed = parseArgs(args, [{ name: 'json', takesValue: false }]);
    if (parsed.positionals.length !== 1) throw new UsageError('expects one definition file');
    const def = loadDefinitionFile(resolve(parsed.positionals[0]!));
    const report = runDefinition(def, RUN_ENVIRONMENT);
    io.out(parsed.options.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.failures === 0 ? 0 : 1;
  },
};

