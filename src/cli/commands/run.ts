import { resolve } from 'node:path';
import { loadDefinitionFile } from '../../frontends/yaml/load.js';
import { HotmemError } from '../../core/errors.js';
import { runDefinition, startDefinition, type RunContext, type RunEnvironment, type RunReport } from '../../frontends/yaml/run.js';
import type { BlockRegion, Step } from '../../frontends/yaml/definition.js';
import type { TimedAction } from '../../migration/workload.js';
import { migrate } from '../../migration/engine.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../../devices/virtio-balloon/index.js';
import type { MachineDefinition } from '../../frontends/yaml/definition.js';
import { releaseName } from '../../core/release.js';
import { parseArgs } from '../args.js';
import { qemuBinary } from '../binary.js';
import { UsageError, type Command } from '../command.js';
import { RUN_INFO } from './info.js';
import { attachLinuxGuest } from '../guest.js';

const GiB = 1024 ** 3;
const size = (bytes: number): string => (bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** The balloon step: QMP `balloon value=<target>`, then the guest runs until idle. */
function balloonStep(ctx: RunContext, step: Step): string {
  if (step.kind !== 'balloon') throw new Error('internal: not a balloon step');
  const device = ctx.machine.model.objectsOfType('virtio-balloon-device').find((d) => d.realized);
  const runtime = device?.slots.get(VIRTIO_BALLOON_RUNTIME);
  if (!runtime) throw new HotmemError('run.no-balloon', 'No balloon device has been activated');
  runtime.toTarget(step.target);
  if (ctx.guest) ctx.guest.settle();
  else ctx.machine.scheduler.runUntilIdle(10_000_000, 600e9);
  return `balloon target ${size(step.target)}: actual ${size(runtime.actualBytes())}`;
}

/** A step's `during` list as the migration workload's timed actions. */
function duringActions(step: Extract<Step, { kind: 'migrate' }>): TimedAction[] {
  const region = (r: BlockRegion) => ({ block: r.block, offset: r.offset, length: r.size });
  return step.during.map(({ atMs, action: a }): TimedAction => {
    const at = atMs * 1e6;
    switch (a.kind) {
      case 'write':
        return { at, action: { kind: 'write', region: region(a.region), tag: 1 } };
      case 'read':
        return { at, action: { kind: 'read', region: region(a.region) } };
      case 'storage-keys':
        return { at, action: { kind: 'enable-storage-keys' } };
      case 'cmma':
        return { at, action: { kind: 'cmma', region: region(a.region), usage: a.usage } };
      case 'host-reclaim':
        return { at, action: { kind: 'host-reclaim', side: a.side } };
      default: {
        const exhaustive: never = a;
        return exhaustive;
      }
    }
  });
}

/**
 * The migrate step: the destination definition is started on its own host and receives; once
 * the migration completed, the runner runs the destination's steps there.
 */
function migrateStep(ctx: RunContext, step: Step): string {
  if (step.kind !== 'migrate') throw new Error('internal: not a migrate step');
  const destinationDef = step.destination ?? { ...ctx.def, steps: [] };
  const { machine: destination } = startDefinition(destinationDef, RUN_ENVIRONMENT);
  const outcome = migrate(ctx.machine, destination, {
    bandwidth: step.bandwidth ?? 1.25e9,
    ...(step.bandwidth === undefined ? {} : { maxBandwidth: step.bandwidth }),
    ...(step.postcopy ? { postcopy: { startAfter: 0 } } : {}),
    ...(step.during.length === 0 ? {} : { workload: { actions: duringActions(step) } }),
  });
  const rss = (m: typeof destination) => size(m.process.status().vmRss);
  const figures = `source RSS ${rss(ctx.machine)}, destination RSS ${rss(destination)}`;
  switch (outcome.kind) {
    case 'completed':
      // The guest's state travelled in its RAM: it runs on the destination now (as with hotmem qemu).
      ctx.guest?.vm.moveTo(destination);
      ctx.migratedTo = {
        machine: destination,
        def: { ...destinationDef, steps: [...destinationDef.steps, ...step.onDestination] },
        guest: ctx.guest,
      };
      return `migration completed (${step.postcopy ? 'postcopy' : 'precopy'}): ${figures}`;
    case 'failed':
      throw new HotmemError('run.migration-failed', outcome.message);
    case 'hung':
      throw new HotmemError(
        'run.migration-hung',
        `migration hung at ${outcome.page.block}+0x${outcome.page.offset.toString(16)}: ${outcome.cause} (${outcome.era})`,
      );
    default: {
      const exhaustive: never = outcome;
      return exhaustive;
    }
  }
}

/** How hotmem's front ends run a definition: the modelled binary of its host, its Linux guest. */
export const RUN_ENVIRONMENT: RunEnvironment = {
  extraSteps: { balloon: balloonStep, migrate: migrateStep },
  machineEnvironment: (def: MachineDefinition) =>
    qemuBinary(
      new Map([
        ['qemu-version', releaseName(def.host.qemu)],
        ['arch', def.host.arch],
      ]),
    ).environment,
  attachGuest: (machine, def) =>
    def.guest
      ? attachLinuxGuest(machine, {
          kernel: `${def.guest.kernel.major}.${def.guest.kernel.minor}`,
          initOnFree: def.guest.initOnFree,
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
    if (s.hint !== undefined) lines.push(`    ${s.hint}`);
    for (const f of s.failures) lines.push(`    FAILED ${f}`);
    for (const w of s.why) lines.push(`    why: ${w.text}`);
  }
  lines.push(report.failures === 0 ? '  all expectations hold' : `  ${report.failures} expectation(s) failed`);
  return `${lines.join('\n')}\n`;
}

export const runCommand: Command = {
  ...RUN_INFO,
  run(args, io) {
    const parsed = parseArgs(args, [{ name: 'json', takesValue: false }]);
    if (parsed.positionals.length !== 1) throw new UsageError('expects one definition file');
    const def = loadDefinitionFile(resolve(parsed.positionals[0]!));
    const report = runDefinition(def, RUN_ENVIRONMENT);
    io.out(parsed.options.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.failures === 0 ? 0 : 1;
  },
};
