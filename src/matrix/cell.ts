/**
 * Running one cell: fill in its definition, run it as `hotmem run` would, and record what the
 * matrix asks for. A cell passes when every expectation holds (the scenario's own `expect`
 * steps and the matrix rules that select it), fails when one does not, and is an error when
 * hotmem cannot answer it (its definition is invalid, or it needs a step this build lacks).
 *
 * A start-up failure fails the cell, as it fails `hotmem run`, unless the scenario expects that
 * error or a rule selecting the cell says what `start` must read. A cell that did not start is
 * judged on its start-up alone: what rules expect of its guest, devices and memory was never
 * there to record.
 */
import { HotmemError } from '../core/errors.js';
import { formatProblem } from '../frontends/yaml/errors.js';
import { runDefinition, type RunReport } from '../frontends/yaml/run.js';
import type { LinuxGuest } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import type { MachineTypeReads } from '../machine/machine-type-reads.js';
import type { MachineDefinition } from '../frontends/yaml/definition.js';
import { cellDefinition } from './cell-definition.js';
import { MatrixEnvironment } from './environment.js';
import { refValue, type Cell } from './expand.js';
import { readFeatures, readGuest, readMemory, readProperty, type FeatureTexts } from './observe.js';
import { FilterMemo } from './filter.js';
import { START, WARNINGS } from './observation-names.js';
import type { CellResult, TimelinePoint } from './results.js';
import { ruleFailures, rulesJudgeStart, type GlobCache } from './rules.js';
import { pointLabel, STEP_MEASURES, type Matrix, type Rule } from './spec.js';

export type WatchMachine = (def: MachineDefinition) => MachineTypeReads;

interface Started {
  readonly machine: Machine;
  readonly properties: ReadonlyArray<readonly [string, string]>;
  /** The recorded measures and the timeline's rss and host, right after start-up. */
  readonly memory: Record<string, number>;
}

/** A rule's expectations a cell that did not start can be held to. */
const startOnly = (rule: Rule): Rule => ({ ...rule, then: rule.then.filter((t) => t.name === START), memory: [] });

export class CellRunner {
  readonly #featureTexts: FeatureTexts = new Map();
  readonly #globs: GlobCache = new Map();
  readonly #selection = new FilterMemo();
  /** The rules as a cell that did not start is held to them. */
  readonly #startRules: readonly Rule[];

  constructor(
    readonly matrix: Matrix,
    readonly env: MatrixEnvironment = new MatrixEnvironment(),
  ) {
    this.#startRules = matrix.rules.map(startOnly);
  }

  /** `watch` gives each machine the cell starts a watcher of what it reads of its machine type (memo.ts). */
  run(cell: Cell, watch?: WatchMachine): CellResult {
    // A model error is a cell's answer, read for its message alone, and Error's constructor walks
    // the stack for every one: in a matrix where many cells fail to start that walk was a good
    // part of those cells' time. Internal errors are reported by message too.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.#run(cell, watch);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  #run(cell: Cell, watch: WatchMachine | undefined): CellResult {
    const base = { index: cell.index, coordinates: cell.coordinates };
    const error = (message: string): CellResult => ({ ...base, observations: {}, memory: {}, timeline: [], status: 'error', error: message });
    const built = cellDefinition(this.matrix, (ref) => refValue(ref, this.matrix.dimensions, cell.values));
    if (!built.ok) return error(built.problems.map(formatProblem).join('\n'));
    // The same words `hotmem run` uses for a step it cannot run.
    const unavailable = this.env.unavailableSteps(built.definition);
    if (unavailable.length > 0) return error(unavailable.map((k) => `the '${k}' step is not available in this build of hotmem`).join('; '));

    const record = this.matrix.record;
    let started: Started | undefined;
    let guest: LinuxGuest | undefined;
    const runEnv = this.env.forRun(watch, (machine) => {
      started = {
        machine,
        properties: record.properties.map((p) => [p.name, readProperty(machine, p.path, p.property)] as const),
        memory: record.memory ? readMemory(machine, [...new Set([...record.memory.measures, ...STEP_MEASURES])]) : {},
      };
    });
    let report: RunReport;
    try {
      report = runDefinition(built.definition, {
        ...runEnv,
        attachGuest: (machine, def) => (guest = runEnv.attachGuest(machine, def)),
      });
    } catch (e) {
      // A model error outside any step (a host profile that does not exist, ...) is this cell's answer;
      // anything else is a bug, kept to this cell so one bad cell does not end a long run.
      if (e instanceof HotmemError) return error(e.message);
      return error(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.#result(cell, report, started, guest, base);
  }

  #result(
    cell: Cell,
    report: RunReport,
    started: Started | undefined,
    guest: LinuxGuest | undefined,
    base: Pick<CellResult, 'index' | 'coordinates'>,
  ): CellResult {
    const { record, rules } = this.matrix;
    const observations: Record<string, string> = {};
    const memory: Record<string, Record<string, number>> = {};
    const timeline: TimelinePoint[] = [];
    observations[START] = started ? 'ok' : (report.steps[0]?.result ?? 'did not start');
    observations[WARNINGS] = report.warnings.length === 0 ? 'none' : report.warnings.join('; ');
    if (started) {
      const machine = started.machine;
      for (const [name, value] of started.properties) observations[name] = value;
      for (const id of record.features) for (const [name, value] of readFeatures(machine, id, this.#featureTexts)) observations[name] = value;
      if (record.guest) for (const [name, value] of readGuest(machine, guest)) observations[name] = value;
      const labels = stepLabels(report);
      report.steps.forEach((s, i) => (observations[labels[i]!] = s.result));
      if (record.memory) {
        const measures = record.memory.measures;
        timeline.push({ at: 'start', rss: started.memory['rss']!, host: started.memory['host']! });
        for (const point of record.memory.at) {
          const label = pointLabel(point);
          if (point.kind === 'start') memory[label] = Object.fromEntries(measures.map((m) => [m, started.memory[m]!]));
          else if (point.kind === 'end') memory[label] = readMemory(machine, measures);
          else {
            const step = report.steps[point.index];
            const figures: Record<string, number> = {};
            for (const m of measures) if (step && STEP_MEASURES.includes(m)) figures[m] = m === 'rss' ? step.rss : step.host;
            memory[label] = figures;
          }
        }
        report.steps.forEach((s, i) => timeline.push({ at: labels[i]!, rss: s.rss, host: s.host }));
      }
    }
    const judgedByRules = !started && rulesJudgeStart(this.#selection, rules, cell.coordinates);
    const failures = [
      ...report.steps.flatMap((s) => (judgedByRules && s.step === 'start' ? [] : s.failures)),
      ...ruleFailures(this.#globs, this.#selection, started ? rules : this.#startRules, cell, this.matrix.dimensions, observations, memory),
    ];
    const common = { ...base, observations, memory, timeline };
    return failures.length === 0 ? { ...common, status: 'pass' } : { ...common, status: 'fail', failures };
  }
}

/** `steps[N].KIND` for the steps a run reported. */
const stepLabels = (report: RunReport): string[] => report.steps.map((s, i) => `steps[${i}].${s.step}`);
