/**
 * Runs a machine definition's scenario: starts the machine on its host, attaches its guest, then
 * executes the steps in order, checking expectations as it goes. Every step records what it did
 * and what the host spent, so the summary answers "what did this cost" step by step.
 */
import { HotmemError } from '../../core/errors.js';
import { sizeText } from '../../core/units.js';
import type { StampedEvent } from '../../core/events.js';
import { Host } from '../../host/host.js';
import type { ProcStatus } from '../../host/accounting.js';
import type { LinuxGuest } from '../../guest/linux-guest.js';
import { entryHint, setStepHint, withHint } from './property-hint.js';
import { Machine, StartupError, type LocatedWarning, type MachineEnvironment } from '../../machine/machine.js';
import { dumpGuestMemory } from '../../machine/dump.js';
import type { Bounds, Expectation, MachineDefinition, MemoryMeasure, Step } from './definition.js';
import { formatPosition } from './errors.js';
import { brokenBounds, dataMatches, propertyMatches } from './expectations.js';
import { deviceItem, objectItem, toMachineOptions } from './machine-options.js';
import { explainBalloon } from '../../why/balloon.js';
import { explainMemoryDevices, type Why } from '../../why/explain.js';

/** What the runner needs beyond the definition: the modelled binary and how to attach guests. */
export interface RunEnvironment {
  machineEnvironment(def: MachineDefinition): MachineEnvironment;
  attachGuest(machine: Machine, def: MachineDefinition): LinuxGuest | undefined;
  /** Steps a later layer provides (balloon, migrate); absent ones fail with a clear message. */
  readonly extraSteps?: Partial<Record<Step['kind'], (ctx: RunContext, step: Step) => string>>;
}

export interface RunContext {
  readonly def: MachineDefinition;
  readonly machine: Machine;
  readonly guest: LinuxGuest | undefined;
  readonly events: readonly StampedEvent[];
  lastError: string | undefined;
  /** Set by a migrate step that completed: the destination's own steps run there next, with the guest that moved there. */
  migratedTo: { readonly machine: Machine; readonly def: MachineDefinition; readonly guest: LinuxGuest | undefined } | undefined;
}

/** The figures of /proc/PID/status a definition can bound. */
export function measure(status: ProcStatus, hostTotal: number, which: MemoryMeasure): number {
  switch (which) {
    case 'rss':
      return status.vmRss;
    case 'rss-anon':
      return status.rssAnon;
    case 'rss-file':
      return status.rssFile;
    case 'rss-shmem':
      return status.rssShmem;
    case 'hugetlb':
      return status.hugetlbPages;
    case 'page-tables':
      return status.vmPte;
    case 'locked':
      return status.vmLck;
    case 'host':
      return hostTotal;
    default: {
      const exhaustive: never = which;
      return exhaustive;
    }
  }
}

export interface StepRecord {
  readonly step: string;
  readonly at: string;
  readonly result: string;
  readonly rss: number;
  readonly host: number;
  readonly failures: readonly string[];
  /** Explanations of device outcomes that first hold after this step (see src/why). */
  readonly why: readonly Why[];
  /**
   * For QEMU's unknown-property error: where the file sets the property and the nearest name
   * (the result keeps QEMU's text alone, as matrix observations compare it).
   */
  readonly hint?: string;
}

export interface RunReport {
  readonly file: string;
  readonly machine: string;
  readonly warnings: readonly string[];
  readonly steps: readonly StepRecord[];
  readonly failures: number;
}

const boundsText = (b: Bounds) => (Object.entries(b) as [string, number][]).map(([k, v]) => `${k} ${v}`).join(', ');

function check(ctx: RunContext, expectation: Expectation, startWarnings: readonly LocatedWarning[]): string | undefined {
  const where = formatPosition(expectation.position);
  switch (expectation.kind) {
    case 'memory': {
      const value = measure(ctx.machine.process.status(), ctx.machine.process.host.totalBytes, expectation.measure);
      const broken = brokenBounds(expectation.bounds, value);
      return broken.length === 0 ? undefined : `${where}: ${expectation.measure} is ${value}, expected ${boundsText(expectation.bounds)}`;
    }
    case 'property': {
      const obj = ctx.machine.model.resolvePath(expectation.path);
      if (!obj) return `${where}: no object at '${expectation.path}'`;
      const actual = obj.get(expectation.property);
      return propertyMatches(expectation.equals, actual)
        ? undefined
        : `${where}: ${expectation.path}.${expectation.property} is ${String(actual)}, expected ${expectation.equals}`;
    }
    case 'event':
      return ctx.events.some((e) => e.event === expectation.name && dataMatches(expectation.data, e.data))
        ? undefined
        : `${where}: no ${expectation.name} event with ${expectation.data.map((f) => `${f.name}=${f.value}`).join(', ') || 'any data'}`;
    case 'error':
      return ctx.lastError === expectation.message
        ? undefined
        : `${where}: expected error '${expectation.message}', got ${ctx.lastError === undefined ? 'none' : `'${ctx.lastError}'`}`;
    case 'warning':
      return startWarnings.some((w) => w.message === expectation.message) ? undefined : `${where}: no warning '${expectation.message}'`;
    case 'dmesg': {
      const lines = ctx.guest?.dmesg().flatMap((e) => (e.kind === 'dmesg' ? [e.text] : [])) ?? [];
      return lines.some((l) => l.includes(expectation.contains)) ? undefined : `${where}: dmesg has no line containing '${expectation.contains}'`;
    }
    default: {
      const exhaustive: never = expectation;
      return exhaustive;
    }
  }
}

/**
 * Replaces the guest's tmpfs file and lets the guest run on (free page reporting reports 2 s
 * after a free), then says what the host's RSS did over the step.
 */
function fileResult(machine: Machine, guest: LinuxGuest, size: number, settle: () => void): string {
  const rss = () => machine.process.status().vmRss;
  const before = rss();
  const outcome = guest.files.fill(size);
  settle();
  const delta = rss() - before;
  const spent = `RSS ${delta >= 0 ? '+' : '-'}${sizeText(Math.abs(delta))}`;
  if (outcome.kind === 'oom') return `guest out of memory writing a ${sizeText(size)} file (${sizeText(outcome.short)} short; the file is gone); ${spent}`;
  return `${size === 0 ? 'guest removed its file' : `guest wrote a ${sizeText(size)} file`}; ${spent}`;
}

function runStep(ctx: RunContext, step: Step, env: RunEnvironment, startWarnings: readonly LocatedWarning[]): { result: string; failures: string[] } {
  const m = ctx.machine;
  const settle = () => (ctx.guest ? ctx.guest.settle() : m.scheduler.runUntilIdle());
  switch (step.kind) {
    case 'set': {
      const obj = m.model.resolvePath(step.path);
      if (!obj) throw new HotmemError('run.no-object', `Device '${step.path}' not found`);
      m.model.setProperty(obj, step.property, { source: 'text', text: step.value, visitor: 'string' });
      settle();
      return { result: `${step.path}.${step.property} = ${step.value}`, failures: [] };
    }
    case 'guest': {
      const guest = ctx.guest;
      if (!guest) throw new HotmemError('run.no-guest', 'this definition has no guest');
      const a = step.action;
      if (a.kind === 'write-file' || a.kind === 'remove-file')
        return { result: fileResult(m, guest, a.kind === 'write-file' ? a.size : 0, settle), failures: [] };
      const outcome =
        a.kind === 'read-all'
          ? guest.ram.systemRam().map((r) => guest.memory.read(r.start, r.length))
          : [
              a.kind === 'write'
                ? guest.memory.write(a.range.start, a.range.size, 1)
                : a.kind === 'read'
                  ? guest.memory.read(a.range.start, a.range.size)
                  : guest.memory.zero(a.range.start, a.range.size),
            ];
      settle();
      return { result: `guest ${a.kind}: ${outcome.map((o) => o.kind).join(', ')}`, failures: [] };
    }
    case 'dump': {
      const dump = dumpGuestMemory(m);
      return { result: `dumped ${dump.total} bytes; RSS ${dump.rssDelta >= 0 ? '+' : ''}${dump.rssDelta}`, failures: [] };
    }
    case 'storage-keys': {
      const done = m.process.enableStorageKeys();
      return {
        result:
          done.kind === 'done' ? `storage keys enabled (${done.zappedPages} zeropages zapped, ${done.unsharedPages} unshared)` : `storage keys: ${done.errno}`,
        failures: [],
      };
    }
    case 'object-add': {
      const item = objectItem(step.object);
      if (item.kind === 'object')
        m.model.addObject(
          item.type,
          item.id,
          item.props.map((p) => ({ name: p.name, input: { source: 'text', text: p.value, visitor: 'opts' } })),
        );
      return { result: `object-add ${step.object.id}`, failures: [] };
    }
    case 'device-add': {
      const item = deviceItem(step.device);
      if (item.kind === 'device') m.addDevice(item);
      settle();
      return { result: `device_add ${step.device.id ?? step.device.driver}`, failures: [] };
    }
    case 'device-del':
      m.deleteDevice(step.id);
      settle();
      return { result: `device_del ${step.id}`, failures: [] };
    case 'expect': {
      const failures = step.expectations.flatMap((e) => {
        const failure = check(ctx, e, startWarnings);
        return failure ? [failure] : [];
      });
      return { result: `${step.expectations.length - failures.length}/${step.expectations.length} expectations hold`, failures };
    }
    case 'balloon':
    case 'migrate': {
      const handler = env.extraSteps?.[step.kind];
      if (!handler) throw new HotmemError('run.step-unavailable', `the '${step.kind}' step is not available in this build of hotmem`);
      return { result: handler(ctx, step), failures: [] };
    }
    default: {
      const exhaustive: never = step;
      return exhaustive;
    }
  }
}

/** Every event the machine emits from now on. */
function listen(machine: Machine): StampedEvent[] {
  const events: StampedEvent[] = [];
  machine.events.onAny((e) => events.push(e));
  return events;
}

/**
 * Runs `def`'s steps on `machine`; after a migrate step that completed, the destination
 * definition's steps run on the destination (their records labelled `destination ...`).
 */
function runSteps(ctx: RunContext, env: RunEnvironment, warnings: readonly LocatedWarning[], label: string): StepRecord[] {
  const { def, machine, guest } = ctx;
  const steps: StepRecord[] = [];
  // Each explanation is reported once, after the first step it holds at.
  const explained = new Set<string>();
  const newWhys = () =>
    [...explainMemoryDevices(machine, guest), ...explainBalloon(machine, guest)].filter((w) => !explained.has(w.text) && explained.add(w.text));
  for (const step of def.steps) {
    let record: { result: string; failures: string[]; hint?: string };
    try {
      record = runStep(ctx, step, env, warnings);
      if (step.kind !== 'expect') ctx.lastError = undefined;
    } catch (e) {
      if (!(e instanceof HotmemError)) throw e;
      ctx.lastError = e.message;
      const hint = stepHint(step, e, machine);
      record = { result: `error: ${e.message}`, failures: [], ...(hint === undefined ? {} : { hint }) };
    }
    if (step.kind === 'migrate' && ctx.lastError !== undefined) {
      // Expectations of a destination the guest never reached would otherwise pass unchecked.
      const unchecked = [...(step.destination?.steps ?? []), ...step.onDestination].filter((s) => s.kind === 'expect').length;
      if (unchecked > 0) record.failures.push(`${unchecked} destination expect step(s) did not run: ${ctx.lastError}`);
    }
    const status = machine.process.status();
    steps.push({
      step: `${label}${step.kind}`,
      at: formatPosition(step.position),
      ...record,
      rss: status.vmRss,
      host: machine.process.host.totalBytes,
      why: newWhys(),
    });
    const migrated = ctx.migratedTo;
    if (migrated) {
      ctx.migratedTo = undefined;
      const destination = { def: migrated.def, machine: migrated.machine, guest: migrated.guest, lastError: undefined, migratedTo: undefined };
      steps.push(...runSteps({ ...destination, events: listen(migrated.machine) }, env, [], `${label}destination `));
    }
  }
  return steps;
}

/** Where a step set a property its type does not have, and the nearest name it has. */
function stepHint(step: Step, error: HotmemError, machine: Machine): string | undefined {
  const names = (type: string) => machine.model.view.properties(type).keys();
  if (step.kind === 'device-add') return entryHint(error, [step.device], names);
  if (step.kind === 'object-add') return entryHint(error, [step.object], names);
  if (step.kind === 'set') return setStepHint(error, step.position, names);
  return undefined;
}

/** Starts the definition's machine on a fresh host of its arch and kernel. */
export function startDefinition(def: MachineDefinition, env: RunEnvironment): { machine: Machine; warnings: readonly LocatedWarning[] } {
  const host = new Host({
    arch: def.host.hostArch ?? def.host.arch,
    kernel: def.host.kernel,
    ...(def.host.thp ? { kernelOverrides: { thp: def.host.thp } } : {}),
    ...(def.host.pciDevices ? { pciDevices: def.host.pciDevices } : {}),
  });
  const started = Machine.start({ ...toMachineOptions(def), host }, env.machineEnvironment(def));
  // Started without -S, as a definition's machine is: the guest runs (a migration then stops it).
  if (started.machine.autostart) started.machine.runState = 'running';
  return { machine: started.machine, warnings: started.warnings };
}

export function runDefinition(def: MachineDefinition, env: RunEnvironment): RunReport {
  let started: { machine: Machine; warnings: readonly LocatedWarning[] };
  try {
    started = startDefinition(def, env);
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    const expected = def.steps.flatMap((s) => (s.kind === 'expect' ? s.expectations : [])).find((x) => x.kind === 'error');
    const holds = expected?.kind === 'error' && expected.message === e.message;
    const view = env.machineEnvironment(def).registry.view({ release: def.host.qemu, target: def.host.arch });
    const hint = entryHint(e, [...def.objects, ...def.devices], (type) => view.properties(type).keys());
    return {
      file: def.file,
      machine: '(did not start)',
      warnings: [],
      steps: [
        {
          step: 'start',
          at: def.file,
          result: e.message,
          rss: 0,
          host: 0,
          failures: holds ? [] : [`start-up failed: ${withHint(e.message, hint)}`],
          why: [],
          ...(hint === undefined ? {} : { hint }),
        },
      ],
      failures: holds ? 0 : 1,
    };
  }
  const { machine, warnings } = started;
  // Listening before the guest boots: what its drivers do at boot are events of the run too.
  const events = listen(machine);
  const guest = env.attachGuest(machine, def);
  guest?.settle();
  const steps = runSteps({ def, machine, guest, events, lastError: undefined, migratedTo: undefined }, env, warnings, '');
  return {
    file: def.file,
    machine: machine.type.name,
    warnings: warnings.map((w) => w.message),
    steps,
    failures: steps.reduce((n, s) => n + s.failures.length, 0),
  };
}
