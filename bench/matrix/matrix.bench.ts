/**
 * How fast the compat matrix runs a whole example: the unplugged-inaccessible matrix (every pc
 * and q35 machine type of every modelled release × 2 backends × on/off/auto × 3 guests) must run
 * in under 10 s on 2 cores. A single cell set against real QEMU 10.0 is bench/speed's figure.
 */
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { loadCompatData } from '../../src/machine/compat-data/load.js';
import { surveyMatrix } from '../../src/matrix/expand.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { runMatrix } from '../../src/matrix/runner.js';
import type { Benchmark } from '../harness.js';

const MATRIX = join(packageRoot(), 'examples/matrices/unplugged-inaccessible.yaml');
const JOBS = 2;
const TARGET_SECONDS = 10;

const data = loadCompatData();
const UI_CELLS = surveyMatrix(loadMatrixFile(MATRIX, data), data, {}).cells;

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
];
