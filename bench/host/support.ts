/**
 * Helpers for the host benchmarks: settled heap measurement and the read-all-then-discard
 * scenario the 100 GiB and 4 TiB runs share.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { prng } from '../../src/core/prng.js';
import { Host, type HostProcess, type Mapping } from '../../src/host/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Heap plus ArrayBuffer memory in use once garbage is collected. ArrayBuffer backing stores are
 * released after the GC that finds them dead, so the measurement yields to the event loop twice.
 */
export async function settledHeapBytes(): Promise<number> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setTimeout(r, 0));
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export interface ReadDiscardFigures {
  readonly readMs: number;
  readonly discardMs: number;
  readonly ms: number;
  /** Memory the model holds afterwards (heap + typed arrays), bytes. */
  readonly heapBytes: number;
  /** Chunks the operations touched: every chunk read plus every piece discarded. */
  readonly chunksTouched: number;
  readonly rssAfter: number;
  readonly vmPteAfter: number;
}

/**
 * Maps `guestBytes` of private anonymous memory with THP off, read-faults all of it (4 KiB
 * zeropage PTEs), then discards `discardBytes` in 2 MiB pieces at seeded random places.
 */
export async function readAllThenDiscard(guestBytes: number, discardBytes: number, seed = 4): Promise<ReadDiscardFigures> {
  const piece = 2 * 1024 * 1024;
  const chunks = guestBytes / piece;
  const picks = pickDistinct(chunks, discardBytes / piece, prng(seed));
  const heap0 = await settledHeapBytes();
  const t0 = performance.now();
  const host = new Host({ arch: 'x86_64', kernel: 'linux-6.1' });
  const proc: HostProcess = host.spawn({ name: 'qemu', kvm: true });
  const out = proc.map({ kind: 'anon', size: guestBytes, thp: 'nohugepage' });
  if (out.kind !== 'done') throw new Error(`mmap failed: ${out.errno}`);
  const ram: Mapping = out.mapping;
  ram.read(0, guestBytes);
  const t1 = performance.now();
  for (const c of picks) ram.madvise(c * piece, piece, 'dontneed');
  const t2 = performance.now();
  const heap = (await settledHeapBytes()) - heap0;
  const s = proc.status();
  return {
    readMs: t1 - t0,
    discardMs: t2 - t1,
    ms: t2 - t0,
    heapBytes: heap,
    chunksTouched: chunks + picks.length,
    rssAfter: s.vmRss,
    vmPteAfter: s.vmPte,
  };
}

/** `k` distinct integers below `n`, by a partial Fisher–Yates shuffle over a typed array. */
function pickDistinct(n: number, k: number, rand: () => number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, k);
}
