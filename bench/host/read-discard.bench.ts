/**
 * Read-fault a whole guest at 4 KiB granularity (THP off: a PTE table of zeropage entries per
 * 2 MiB), then discard part of it in scattered 2 MiB pieces — a migration or dump that read
 * everything, followed by balloon or virtio-mem discards. The host model's work must follow the
 * chunks touched, never the bytes behind them: a 4 TiB guest costs per chunk what 100 GiB does.
 */
import { GiB, TiB } from '../../src/core/units.js';
import type { Benchmark } from '../harness.js';
import { readAllThenDiscard, type ReadDiscardFigures } from './support.js';

const MiB = 1024 * 1024;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
const nsPerChunk = (r: ReadDiscardFigures) => (r.ms * 1e6) / r.chunksTouched;
const describe = (r: ReadDiscardFigures) =>
  `read ${r.readMs.toFixed(0)} ms + discard ${r.discardMs.toFixed(0)} ms, ${r.chunksTouched} chunks, ` +
  `${nsPerChunk(r).toFixed(0)} ns/chunk, heap ${mib(r.heapBytes)}`;

export const benchmarks: readonly Benchmark[] = [
  {
    name: 'host: read 100 GiB + discard 60 GiB in 2 MiB pieces',
    target: 500,
    unit: 'ms',
    better: 'lower',
    async run() {
      await readAllThenDiscard(10 * GiB, 6 * GiB); // warm the JIT up
      const r = await readAllThenDiscard(100 * GiB, 60 * GiB);
      return { figure: r.ms, detail: describe(r) };
    },
  },
  {
    name: 'host: memory held after read 100 GiB + discard 60 GiB',
    target: 16,
    unit: 'MiB',
    better: 'lower',
    async run() {
      const r = await readAllThenDiscard(100 * GiB, 60 * GiB);
      return { figure: r.heapBytes / MiB, detail: `RSS ${mib(r.rssAfter)}, VmPTE ${mib(r.vmPteAfter)}` };
    },
  },
  {
    name: 'host: read 4 TiB + discard 60 %, cost per chunk vs 100 GiB',
    target: 1.5,
    unit: 'x',
    better: 'lower',
    async run() {
      await readAllThenDiscard(10 * GiB, 6 * GiB); // warm the JIT up
      const small = await readAllThenDiscard(100 * GiB, 60 * GiB);
      const big = await readAllThenDiscard(4 * TiB, 0.6 * 4 * TiB);
      const literal = await readAllThenDiscard(4 * TiB, 60 * GiB);
      return {
        figure: nsPerChunk(big) / nsPerChunk(small),
        detail: `4 TiB: ${describe(big)}; 100 GiB: ${nsPerChunk(small).toFixed(0)} ns/chunk; 4 TiB + 60 GiB: ${describe(literal)}`,
      };
    },
  },
  {
    name: 'host: memory held after read 4 TiB + discard 60 %',
    target: 64,
    unit: 'MiB',
    better: 'lower',
    async run() {
      const r = await readAllThenDiscard(4 * TiB, 0.6 * 4 * TiB);
      return { figure: r.heapBytes / MiB, detail: `RSS ${mib(r.rssAfter)}, VmPTE ${mib(r.vmPteAfter)}` };
    },
  },
];
