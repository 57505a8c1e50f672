/**
 * A matrix cell with results shared across machine types (src/matrix/memo.ts) against the same
 * cells each evaluated, and against a real QEMU 10.0 start: the cells of a whole release of an
 * example, in expansion order (what the memo shares depends on the cells before), split into
 * rounds interleaved with real QEMU starts. Every memoised result is compared byte for byte with
 * the evaluated one; a difference fails the benchmark. CPU time per cell, as the machine is
 * shared: the ratios against QEMU are of wall time.
 */
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { loadCompatData } from '../../src/machine/compat-data/load.js';
import { CellRunner } from '../../src/matrix/cell.js';
import { cellsOf, type Cell } from '../../src/matrix/expand.js';
import { FilterMemo, parseFilter } from '../../src/matrix/filter.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { CellMemo } from '../../src/matrix/memo.js';
import type { Benchmark } from '../harness.js';
import { interleaved, loadNote, realConfigMs, realQemu10 } from '../speed/support.js';

const ROUNDS = 8;
/** Cells each runner runs first, so both meet the JIT's optimised code (bench/speed: 4,000-5,000 cells). */
const WARM_UP_CELLS = 5000;

const real = realQemu10();
if ('missing' in real) console.log(`matrix memo: the comparison with real QEMU 10.0 is left out: ${real.missing}`);

function selection(name: string, filter: string): { readonly runner: CellRunner; readonly cells: readonly Cell[] } {
  const data = loadCompatData();
  const matrix = loadMatrixFile(join(packageRoot(), 'examples/matrices', `${name}.yaml`), data);
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(parsed.reason);
  const memo = new FilterMemo();
  return { runner: new CellRunner(matrix), cells: [...cellsOf(matrix, data, { keep: (c) => memo.matches(parsed.filter, c) })] };
}

const memoBenchmark = (name: string, filter: string): Benchmark => ({
  name: `matrix: a memoised cell (${name}, ${filter}, one thread) vs a real QEMU 10.0 start`,
  target: 1000,
  unit: '× faster',
  better: 'higher',
  async run() {
    const { runner, cells } = selection(name, filter);
    const memo = new CellMemo(new CellRunner(runner.matrix));
    for (let i = 0; i < WARM_UP_CELLS; i++) runner.run(cells[i % cells.length]!);
    // interleaved() calls each measure once more before its rounds: that call takes the first chunk.
    const perRound = Math.ceil(cells.length / (ROUNDS + 1));
    const cpu = { memo: 0, plain: 0 };
    const wall = { memo: 0, plain: 0 };
    let round = 0;
    const both = (): number => {
      const chunk = cells.slice(round * perRound, ++round * perRound);
      const results: string[] = [];
      let used = process.cpuUsage();
      let start = performance.now();
      for (const cell of chunk) results.push(JSON.stringify(memo.run(cell)));
      let spent = process.cpuUsage(used);
      wall.memo += performance.now() - start;
      cpu.memo += spent.user + spent.system;
      used = process.cpuUsage();
      start = performance.now();
      chunk.forEach((cell, i) => {
        if (JSON.stringify(runner.run(cell)) !== results[i]) throw new Error(`matrix memo: cell ${cell.index} differs from its evaluation`);
      });
      spent = process.cpuUsage(used);
      wall.plain += performance.now() - start;
      cpu.plain += spent.user + spent.system;
      return 0;
    };
    const qemu = 'binary' in real ? [() => realConfigMs(real.binary)] : [];
    const [, qemuMs] = await interleaved(ROUNDS, [both, ...qemu]);
    const n = cells.length;
    const memoMs = wall.memo / n;
    return {
      figure: qemuMs === undefined ? 0 : qemuMs / memoMs,
      detail:
        `${n} cells, ${memo.evaluated} evaluated and ${memo.shared} shared, all equal to their evaluation; per cell ` +
        `memoised ${(cpu.memo / n).toFixed(0)} µs of CPU (${(memoMs * 1000).toFixed(0)} µs wall), evaluated ${(cpu.plain / n).toFixed(0)} µs ` +
        `(${((wall.plain / n) * 1000).toFixed(0)} µs wall): ${(cpu.plain / cpu.memo).toFixed(2)}x` +
        (qemuMs === undefined ? '' : `; QEMU ${qemuMs.toFixed(1)} ms per start (median)`) +
        `; ${await loadNote()}`,
    };
  },
});

export const benchmarks: readonly Benchmark[] = [
  memoBenchmark('unplugged-inaccessible', 'release=8.1'),
  memoBenchmark('virtio-mem-sizes', 'release=8.1, memory=1GiB'),
];
