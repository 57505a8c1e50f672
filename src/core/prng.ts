/**
 * mulberry32: a small seeded 32-bit generator. Workloads and benchmarks that spread accesses
 * "randomly" use it so that every run (and both sides of a migration) sees the same sequence.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
