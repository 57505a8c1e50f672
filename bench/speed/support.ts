/**
 * What the speed benchmarks share: the configuration of issue #16 (pc-q35-8.1, a memfd backend,
 * virtio-mem; start paused, one qom-get over QMP, quit), run by real QEMU 10.0 from the Debian
 * trixie root and by hotmem, and interleaved timing: the machine is shared, so each figure is a
 * ratio of medians taken in alternation, never an absolute time.
 */
import { spawnSync } from 'node:child_process';
import { isMissing, realQemu } from '../../test/conformance/real-qemu.js';

export const CONFIG_ARGS: readonly string[] = [
  '-machine',
  'pc-q35-8.1,accel=kvm',
  '-m',
  '512M,slots=1,maxmem=2560M',
  '-object',
  'memory-backend-memfd,id=mem0,size=2G',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=mem0',
  '-S',
  '-nodefaults',
  '-display',
  'none',
  '-qmp',
  'stdio',
];

export const CONFIG_QMP: readonly object[] = [
  { execute: 'qmp_capabilities' },
  { execute: 'qom-get', arguments: { path: '/machine/peripheral/vm0', property: 'size' } },
  { execute: 'quit' },
];

export const qmpInput = (commands: readonly object[]): string => commands.map((c) => `${JSON.stringify(c)}\n`).join('');

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall milliseconds of one process run to its end; it must exit 0. */
export function timedRun(command: string, args: readonly string[], input = ''): number {
  const start = performance.now();
  const run = spawnSync(command, args, { input, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(run.status)}: ${run.stderr}`);
  return ms;
}

/** Real QEMU 10.0 (Debian trixie), or why it is missing. */
export function realQemu10(): { readonly binary: string } | { readonly missing: string } {
  const q = realQemu('trixie', 'x86_64');
  return isMissing(q) ? { missing: q.missing } : { binary: q.binary };
}

/** One start of real QEMU on the configuration, in wall milliseconds. */
export const realConfigMs = (binary: string): number => timedRun(binary, CONFIG_ARGS, qmpInput(CONFIG_QMP));

/**
 * Runs the measurements in turn `rounds` times after one warm-up each, and returns their
 * medians: load from other processes falls on all of them alike.
 */
export async function interleaved(rounds: number, measures: readonly (() => number | Promise<number>)[]): Promise<number[]> {
  for (const m of measures) await m();
  const samples = measures.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    for (const [k, m] of measures.entries()) samples[k]!.push(await m());
  }
  return samples.map(median);
}

/** The 1-minute load average per core, for the detail column: the figures are ratios, this says how loaded the machine was. */
export async function loadNote(): Promise<string> {
  const { loadavg, availableParallelism } = await import('node:os');
  return `load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
}
