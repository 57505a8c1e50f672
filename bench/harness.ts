/**
 * Benchmarks report a figure and its ratio to a target; they never assert on time, so a slow
 * machine shows a ratio above 1 instead of failing the tests.
 */
export interface BenchResult {
  readonly figure: number;
  /** Free-form extra figures (heap, per-chunk cost, ...). */
  readonly detail?: string;
}

export interface Benchmark {
  readonly name: string;
  /** The figure this benchmark is held to, in `unit`. */
  readonly target: number;
  readonly unit: string;
  /** `lower` for times and bytes, `higher` for throughputs. */
  readonly better: 'lower' | 'higher';
  run(): BenchResult | Promise<BenchResult>;
}

/** Above 1 means the target is missed, whichever direction is better. */
export function ratioToTarget(bench: Benchmark, figure: number): number {
  return bench.better === 'lower' ? figure / bench.target : bench.target / figure;
}

/** Runs `fn` `iterations` times and returns the elapsed milliseconds. */
export function timeMs(fn: () => void, iterations = 1): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return performance.now() - start;
}
