/**
 * How fast the compat matrix answers. The unplugged-inaccessible example (every pc and q35
 * machine type of every modelled release × 2 backends × on/off/auto × 3 guests) must run in
 * under 10 s on 2 cores; and one cell's question (what does unplugged-inaccessible resolve to
 * on this machine type and backend, which features does the device offer) is set against real
 * QEMU 7.2 answering it: starting qemu-system-x86_64 -S with the cell's options and asking over
 * QMP. The QEMU comparison is left out, saying so, where QEMU is not installed.
 */
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { loadCompatData } from '../../src/machine/compat-data/load.js';
import { CellRunner } from '../../src/matrix/cell.js';
import { expandMatrix } from '../../src/matrix/expand.js';
import { filterMatches, parseFilter } from '../../src/matrix/filter.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { runMatrix } from '../../src/matrix/runner.js';
import { QmpSession } from '../../test/conformance/qemu.js';
import { isMissing, realQemu } from '../../test/conformance/real-qemu.js';
import type { Benchmark } from '../harness.js';

const MATRIX = join(packageRoot(), 'examples/matrices/unplugged-inaccessible.yaml');
const JOBS = 2;
const TARGET_SECONDS = 10;
/** The cell real QEMU is asked about: pc-q35-7.2 on 7.2, a memfd backend, unplugged-inaccessible=auto. */
const CELL = 'release=7.2,machine=pc-q35-7.2,backend=memory-backend-memfd,unplugged-inaccessible=auto';
const QEMU_ARGS = [
  '-machine',
  'pc-q35-7.2,accel=tcg',
  '-m',
  '512M,maxmem=2560M',
  '-object',
  'memory-backend-memfd,id=mem0,size=2G',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=mem0,unplugged-inaccessible=auto',
];
const QEMU_STARTS = 5;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * hotmem's time for one cell in one thread, warmed up (the matrix cells of release 7.2, run in
 * turn), and its answer for the cell QEMU is asked about.
 */
function hotmemMsPerCell(): { ms: number; answer: string } {
  const matrix = loadMatrixFile(MATRIX, data);
  const filter = parseFilter('release=7.2');
  if (!filter.ok) throw new Error(filter.reason);
  const cells = expandMatrix(matrix, data).filter((c) => filterMatches(filter.filter, c.coordinates));
  const runner = new CellRunner(matrix);
  for (const c of cells.slice(0, 200)) runner.run(c);
  const start = performance.now();
  const results = cells.map((c) => runner.run(c));
  const ms = (performance.now() - start) / cells.length;
  const asked = parseFilter(CELL);
  if (!asked.ok) throw new Error(asked.reason);
  const cell = results.find((r) => filterMatches(asked.filter, r.coordinates));
  return { ms, answer: `unplugged-inaccessible=${cell?.observations['vm0.unplugged-inaccessible'] ?? '(not recorded)'}` };
}

/** Real QEMU answering the cell's question: start paused, read the property and the offered features over QMP, quit. */
async function qemuMsPerCell(binary: string): Promise<{ ms: number; answer: string }> {
  const times: number[] = [];
  let answer = '';
  for (let i = 0; i < QEMU_STARTS; i++) {
    const start = performance.now();
    const session = await QmpSession.start(binary, QEMU_ARGS, { paused: true });
    const value = await session.execute<string>('qom-get', { path: 'vm0', property: 'unplugged-inaccessible' });
    const status = await session.execute<{ 'host-features': { 'dev-features': string[] } }>('x-query-virtio-status', {
      path: '/machine/peripheral/vm0/virtio-backend',
    });
    await session.quit();
    times.push(performance.now() - start);
    answer = `unplugged-inaccessible=${value}, device features offered: ${status['host-features']['dev-features'].map((f) => f.split(':')[0]).join(' ') || 'none'}`;
  }
  return { ms: median(times), answer };
}

const data = loadCompatData();
const UI_CELLS = expandMatrix(loadMatrixFile(MATRIX, data), data).length;
// QEMU 7.2 is Debian bookworm's, from its conformance root (test/conformance/roots.sh).
const bookworm = realQemu('bookworm', 'x86_64');
const qemu = isMissing(bookworm) ? null : bookworm.binary;
if (isMissing(bookworm)) console.log(`matrix: the comparison with real QEMU 7.2 is left out: ${bookworm.missing}`);

export const benchmarks: readonly Benchmark[] = [
  {
    name: `matrix: unplugged-inaccessible example (${UI_CELLS} cells), ${JOBS} jobs`,
    // The rate that runs the whole matrix in TARGET_SECONDS.
    target: Math.ceil(UI_CELLS / TARGET_SECONDS),
    unit: 'cells/s',
    better: 'higher',
    async run() {
      const start = performance.now();
      const results = await runMatrix(loadMatrixFile(MATRIX, data), { jobs: JOBS, data });
      const seconds = (performance.now() - start) / 1000;
      return {
        figure: results.cells.length / seconds,
        detail: `${results.cells.length} cells in ${seconds.toFixed(2)} s (target ${TARGET_SECONDS} s); ${results.summary.pass} pass, ${results.summary.fail} fail`,
      };
    },
  },
  ...(qemu === null
    ? []
    : [
        {
          name: 'matrix: one cell, hotmem vs real QEMU 7.2 (-S, QMP qom-get + x-query-virtio-status)',
          // A matrix run is worth having when it answers a cell at least ten times faster than QEMU starts.
          target: 10,
          unit: '× faster',
          better: 'higher' as const,
          async run() {
            const hotmem = hotmemMsPerCell();
            const real = await qemuMsPerCell(qemu);
            return {
              figure: real.ms / hotmem.ms,
              detail: `QEMU ${real.ms.toFixed(0)} ms per cell (median of ${QEMU_STARTS} starts; ${real.answer}); hotmem ${hotmem.ms.toFixed(2)} ms per cell, guest and steps included (${hotmem.answer} for ${CELL})`,
            };
          },
        },
      ]),
];
