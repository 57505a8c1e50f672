/**
 * Issue #16's figures, each a ratio measured in one run with the runs interleaved:
 * - a `hotmem qemu` process for the configuration against `node -e 0` (Node's own floor), target
 *   at most 1.25; `hotmem --version` and `hotmem machines` likewise;
 *   (with real QEMU 10.0 answering the same configuration in the same rounds, in the detail: no
 *   target, as Node's start alone costs more than QEMU's whole answer);
 * - a configuration in `hotmem qemu --batch` against real QEMU 10.0, target at least 1000x: the
 *   batch holds the configuration on each q35 machine type of 10.0 (capabilities, one qom-get,
 *   quit), every round again, so after a first round each configuration is one seen before;
 * - a matrix cell (samples of the unplugged-inaccessible example's release 8.1 cells and of the
 *   virtio-mem-sizes example's release 8.1, 1 GiB boot memory cells, one thread) against real
 *   QEMU 10.0, target at least 1000x. The cells measured run after WARM_UP_CELLS others, as all
 *   but the first few thousand of a long run (a CI slice, a worker's share) do: V8 takes that many
 *   cells to optimise the code a cell runs, and the first hundreds cost several times a warm one
 *   (the detail gives both).
 * Where the Debian trixie root is missing the comparisons with QEMU are left out, saying so.
 * hotmem runs as the package's bin (dist/build/hotmem: `qemu` on the build's start-up snapshot,
 * the others from the bundle); the `qemu` row also times, in the same rounds for the detail, the
 * bundle's loader it falls back to (dist/build/bin.cjs: the bundle with its code cache).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchMachines, runInvocation, type Invocation } from '../../src/cli/qemu-batch.js';
import { packageRoot } from '../../src/core/package-root.js';
import { loadCompatData } from '../../src/machine/compat-data/load.js';
import { CellRunner } from '../../src/matrix/cell.js';
import { cellsOf, type Cell } from '../../src/matrix/expand.js';
import { FilterMemo, parseFilter } from '../../src/matrix/filter.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import type { Benchmark } from '../harness.js';
import { CONFIG_ARGS, CONFIG_QMP, interleaved, loadNote, median, qmpInput, realConfigMs, realQemu10, timedRun } from './support.js';

const root = packageRoot();
const BIN = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { hotmem: string } }).bin.hotmem);
const BUNDLE_LOADER = join(root, 'dist', 'build', 'bin.cjs');
const node = process.execPath;
const ROUNDS = 15;
const hotmem =
  (...args: readonly string[]) =>
  (input = ''): number =>
    timedRun(BIN, args, input);
const fromBundle =
  (...args: readonly string[]) =>
  (input = ''): number =>
    timedRun(node, [BUNDLE_LOADER, ...args], input);
const nodeFloor = (): number => timedRun(node, ['-e', '0']);

const real = realQemu10();
if ('missing' in real) console.log(`speed: the comparisons with real QEMU 10.0 are left out: ${real.missing}`);

/**
 * `also`: real QEMU on the same configuration, measured in the same rounds for the detail column;
 * likewise `fromBundle` for a command the bin starts from the snapshot: the same command started
 * from the bundle's loader, as it was before the snapshot.
 */
function startupBenchmark(name: string, args: readonly string[], options: { input?: string; also?: () => number; fromBundle?: true } = {}): Benchmark {
  const { input = '', also } = options;
  return {
    name: `start-up: ${name} vs node -e 0 (wall, interleaved)`,
    target: 1.25,
    unit: '× node',
    better: 'lower',
    async run() {
      const run = hotmem(...args);
      const bundled = options.fromBundle ? [() => fromBundle(...args)(input)] : [];
      const [ms, floor, ...others] = await interleaved(ROUNDS, [() => run(input), nodeFloor, ...bundled, ...(also ? [also] : [])]);
      const bundle = options.fromBundle ? others.shift() : undefined;
      const qemu = others.shift();
      const versusBundle = bundle === undefined ? '' : `, from the bundle (bin.cjs, no snapshot) ${bundle.toFixed(0)} ms = ${(bundle / floor!).toFixed(2)}x`;
      const versusQemu =
        qemu === undefined ? '' : `, real QEMU 10.0 ${qemu.toFixed(0)} ms (hotmem/QEMU ${(ms! / qemu).toFixed(2)}: Node alone starts slower than QEMU answers)`;
      return {
        figure: ms! / floor!,
        detail: `medians of ${ROUNDS}: hotmem ${ms!.toFixed(0)} ms, node -e 0 ${floor!.toFixed(0)} ms${versusBundle}${versusQemu}; ${await loadNote()}`,
      };
    },
  };
}

/** The configuration on every q35 machine type QEMU 10.0 has: different machines, as a script would start. */
function batchInvocations(): Invocation[] {
  const q35 = loadCompatData()
    .machineTypes('10.0', 'x86_64')
    .filter((m) => m.series?.id === 'pc-q35');
  return q35.map((m) => ({
    args: ['--qemu-version', '10.0', ...CONFIG_ARGS.map((a) => (a === 'pc-q35-8.1,accel=kvm' ? `${m.name},accel=kvm` : a))],
    qmp: CONFIG_QMP,
  }));
}

/** One batch over every round: after the warm-up round each configuration is one seen before. */
async function batchMsPerConfig(invocations: readonly Invocation[], machines: ReturnType<typeof batchMachines>): Promise<number> {
  const start = performance.now();
  for (const invocation of invocations) {
    const record = await runInvocation(invocation, machines);
    if (record.exit !== 0) throw new Error(`batch: ${invocation.args.join(' ')} exited ${record.exit}: ${record.stderr}`);
  }
  return (performance.now() - start) / invocations.length;
}

/**
 * `count` cells spread evenly over those of the example matrix `name` that `filter` selects (in
 * expansion order, so every stretch of the matrix is in the sample), and a runner for them.
 */
function matrixSample(name: string, filter: string, count: number): { runner: CellRunner; cells: Cell[]; selected: number } {
  const data = loadCompatData();
  const matrix = loadMatrixFile(join(packageRoot(), 'examples/matrices', `${name}.yaml`), data);
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(parsed.reason);
  const memo = new FilterMemo();
  const selected = [...cellsOf(matrix, data, { keep: (coordinates) => memo.matches(parsed.filter, coordinates) })];
  const cells = Array.from(
    { length: Math.min(count, selected.length) },
    (_, i) => selected[Math.floor((i * selected.length) / Math.min(count, selected.length))]!,
  );
  return { runner: new CellRunner(matrix), cells, selected: selected.length };
}

/** Cells run per round of the interleaved measurement: a round of cells costs about one QEMU start or more. */
const CELLS_PER_ROUND = 100;

/**
 * Cells run before the measured ones: in one thread on this machine (loaded by others) a cell's
 * CPU time falls until some 4,000-5,000 cells of either example have run (the JIT's warm-up:
 * from 1.5 ms to 0.2 ms for a virtio-mem-sizes cell, from 2.7 ms to 0.5 ms for an
 * unplugged-inaccessible one), and stays flat after.
 */
const WARM_UP_CELLS = 5000;

/** A matrix cell in one thread against a real QEMU 10.0 start, by wall time; CPU time per cell in the detail. */
const matrixBenchmark = (binary: string, name: string, filter: string): Benchmark => ({
  name: `matrix: a cell (${name}, ${filter}, one thread) vs a real QEMU 10.0 start`,
  target: 1000,
  unit: '× faster',
  better: 'higher',
  async run() {
    const { runner, cells, selected } = matrixSample(name, filter, (ROUNDS + 1) * CELLS_PER_ROUND);
    const warmUp = matrixSample(name, filter, WARM_UP_CELLS).cells;
    const used = process.cpuUsage();
    for (let i = 0; i < WARM_UP_CELLS; i++) runner.run(warmUp[i % warmUp.length]!);
    const warming = process.cpuUsage(used);
    let next = 0;
    const cpu: number[] = [];
    const cellMs = (): number => {
      const chosen = Array.from({ length: CELLS_PER_ROUND }, () => cells[next++ % cells.length]!);
      const start = performance.now();
      const used = process.cpuUsage();
      for (const cell of chosen) runner.run(cell);
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / chosen.length);
      return (performance.now() - start) / chosen.length;
    };
    const [a, b] = (await interleaved(ROUNDS, [() => realConfigMs(binary), cellMs])) as [number, number];
    return {
      figure: a / b,
      detail:
        `medians: QEMU ${a.toFixed(1)} ms per start, hotmem ${(b * 1000).toFixed(0)} µs per cell (${median(cpu).toFixed(0)} µs of CPU); ` +
        `${cells.length} of the ${selected} cells, ${CELLS_PER_ROUND} per round, after ${WARM_UP_CELLS} cells of warm-up ` +
        `(${((warming.user + warming.system) / WARM_UP_CELLS).toFixed(0)} µs of CPU each); ${await loadNote()}`,
    };
  },
});

const qemuBenchmarks = (binary: string): Benchmark[] => [
  {
    name: 'batch: a configuration in hotmem qemu --batch vs a real QEMU 10.0 start',
    target: 1000,
    unit: '× faster',
    better: 'higher',
    async run() {
      const invocations = batchInvocations();
      const machines = batchMachines();
      // The first round prepares each configuration's machine; the rounds measured borrow them.
      const firstSeen = await batchMsPerConfig(invocations, machines);
      const [a, b] = (await interleaved(ROUNDS, [() => realConfigMs(binary), () => batchMsPerConfig(invocations, machines)])) as [number, number];
      return {
        figure: a / b,
        detail: `medians: QEMU ${a.toFixed(1)} ms per start, hotmem ${(b * 1000).toFixed(0)} µs per configuration seen before (${invocations.length} q35 machine types per round, each once before: ${(firstSeen * 1000).toFixed(0)} µs per configuration then); ${await loadNote()}`,
      };
    },
  },
  matrixBenchmark(binary, 'unplugged-inaccessible', 'release=8.1'),
  matrixBenchmark(binary, 'virtio-mem-sizes', 'release=8.1, memory=1GiB'),
];

export const benchmarks: readonly Benchmark[] = [
  startupBenchmark('hotmem qemu (the configuration, QMP qom-get, quit)', ['qemu', '--qemu-version', '10.0', ...CONFIG_ARGS], {
    input: qmpInput(CONFIG_QMP),
    fromBundle: true,
    ...('binary' in real ? { also: () => realConfigMs(real.binary) } : {}),
  }),
  startupBenchmark('hotmem --version', ['--version']),
  startupBenchmark('hotmem machines', ['machines']),
  ...('binary' in real ? qemuBenchmarks(real.binary) : []),
];
