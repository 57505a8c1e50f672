/**
 * One million random 4 KiB faults (seeded): half reads, half writes of data, over a 64 GiB guest
 * with THP off — the per-call cost of the host model and the memory of mixed chunks.
 */
import { GiB } from '../../src/core/units.js';
import { Host } from '../../src/host/index.js';
import type { Benchmark } from '../harness.js';
import { prng } from '../../src/core/prng.js';
import { settledHeapBytes } from './support.js';

const MiB = 1024 * 1024;
const FAULTS = 1_000_000;

/** `count` seeded random 4 KiB faults, alternating reads and writes, on a fresh guest of `size`. */
function faults(size: number, count: number, seed: number) {
  const page = 4096;
  const pages = size / page;
  const rand = prng(seed);
  const host = new Host({ arch: 'x86_64', kernel: 'linux-6.1' });
  const proc = host.spawn({ name: 'qemu', kvm: true });
  const out = proc.map({ kind: 'anon', size, thp: 'nohugepage' });
  if (out.kind !== 'done') throw new Error(`mmap failed: ${out.errno}`);
  const ram = out.mapping;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const offset = Math.floor(rand() * pages) * page;
    if (i & 1) ram.write(offset, page, (i & 0xff) + 1);
    else ram.read(offset, page);
  }
  return { ram, proc, ms: performance.now() - t0 };
}

export const benchmarks: readonly Benchmark[] = [
  {
    name: 'host: 1M random 4 KiB faults on 64 GiB',
    // The target: one million random faults in under a second.
    target: 1000,
    unit: 'ms',
    better: 'lower',
    async run() {
      faults(GiB, 100_000, 2); // warm the JIT up on a small guest
      const heap0 = await settledHeapBytes();
      const { ram, proc, ms } = faults(64 * GiB, FAULTS, 1);
      const heap = (await settledHeapBytes()) - heap0;
      const s = proc.status();
      return {
        figure: ms,
        detail:
          `${((ms * 1e6) / FAULTS).toFixed(0)} ns/fault, heap ${(heap / MiB).toFixed(1)} MiB, ` +
          `RssAnon ${(s.rssAnon / MiB).toFixed(0)} MiB, VmPTE ${(s.vmPte / MiB).toFixed(1)} MiB, ${ram.pages.mixedChunks} mixed chunks`,
      };
    },
  },
];
