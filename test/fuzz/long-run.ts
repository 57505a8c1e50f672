/**
 * `npm run fuzz`: the long fuzz run. Every target runs in worker processes (shards, each from its
 * own seed) side by side; a shard that reports no progress for a minute is a hang. Prints a table
 * per target (inputs, time, crashes, hangs, state changes) and records each target's run in
 * test/fuzz/last-run.json (a run of some targets keeps the others' records), which the README's
 * Reliability section quotes.
 *
 *   node dist/test/fuzz/long-run.js [--inputs N] [--shards N] [--targets a,b] [--seed N]
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.js';
import type { FuzzRun } from './run-target.js';

const args = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
const inputs = Number(args.get('inputs') ?? 1_000_000);
const shards = Number(args.get('shards') ?? 2);
const seed = Number(args.get('seed') ?? Date.now() % 1_000_000);
const names = (args.get('targets') ?? Object.keys(TARGETS).join(',')).split(',');
const WATCHDOG_MS = 60_000;

const here = dirname(fileURLToPath(import.meta.url));

interface ShardResult {
  readonly target: string;
  readonly seed: number;
  readonly inputs: number;
  readonly ms: number;
  readonly outcome: 'ok' | 'failed' | 'hang' | 'crash';
  readonly detail?: string;
}

function runShard(target: string, shardSeed: number, count: number): Promise<ShardResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    // A larger young generation: each input makes much short-lived garbage.
    const child = fork(join(here, 'worker.js'), [target, String(shardSeed), String(count)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-semi-space-size=32'],
    });
    let done = 0;
    let settled = false;
    const finish = (r: Omit<ShardResult, 'target' | 'seed'>) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve({ target, seed: shardSeed, ...r });
    };
    let lastProgress = performance.now();
    const watch = setInterval(() => {
      if (performance.now() - lastProgress > WATCHDOG_MS) {
        child.kill('SIGKILL');
        finish({ inputs: done, ms: performance.now() - started, outcome: 'hang', detail: `no progress for ${WATCHDOG_MS / 1000} s after input #${done}` });
      }
    }, 1000);
    child.on('message', (m: { kind: 'progress'; done: number } | { kind: 'done'; run: FuzzRun }) => {
      lastProgress = performance.now();
      if (m.kind === 'progress') {
        done = m.done;
        progress.set(`${target}/${shardSeed}`, done);
      } else finish({ inputs: m.run.inputs, ms: m.run.ms, outcome: m.run.failure ? 'failed' : 'ok', ...(m.run.failure ? { detail: m.run.failure } : {}) });
    });
    child.on('exit', (code, signal) =>
      finish({ inputs: done, ms: performance.now() - started, outcome: 'crash', detail: `worker exited (${String(code ?? signal)}) after input #${done}` }),
    );
  });
}

const progress = new Map<string, number>();
const started = new Date();
const t0 = performance.now();
// A line a minute on stderr, so a long run can be watched.
const ticker = setInterval(() => {
  const byTarget = names.map((n) => `${n} ${[...progress].filter(([k]) => k.startsWith(`${n}/`)).reduce((sum, [, v]) => sum + v, 0)}`);
  console.error(`[${Math.round((performance.now() - t0) / 1000)} s] ${byTarget.join(', ')}`);
}, 60_000);
const results = await Promise.all(
  names.flatMap((name) => Array.from({ length: shards }, (_, s) => runShard(name, seed + s * 1000 + names.indexOf(name), Math.ceil(inputs / shards)))),
);
clearInterval(ticker);
const wallMs = performance.now() - t0;
const summary = names.map((name) => {
  const mine = results.filter((r) => r.target === name);
  return {
    target: name,
    inputs: mine.reduce((n, r) => n + r.inputs, 0),
    seconds: Math.round(Math.max(...mine.map((r) => r.ms)) / 1000),
    shards: mine.length,
    seeds: mine.map((r) => r.seed),
    failures: mine.filter((r) => r.outcome !== 'ok').map((r) => ({ outcome: r.outcome, seed: r.seed, detail: r.detail })),
  };
});
// Each target keeps its own last run: a run of some targets replaces only theirs.
const resultsFile = join(here, '..', '..', '..', 'test', 'fuzz', 'last-run.json');
const previous = existsSync(resultsFile) ? ((JSON.parse(readFileSync(resultsFile, 'utf8')) as { targets?: Record<string, unknown> }).targets ?? {}) : {};
const run = { started: started.toISOString(), wallSeconds: Math.round(wallMs / 1000), node: process.version };
const targets = { ...previous, ...Object.fromEntries(summary.map((s) => [s.target, { ...run, ...s }])) };
writeFileSync(resultsFile, `${JSON.stringify({ targets }, null, 2)}\n`);
for (const s of summary) {
  console.log(
    `${s.target.padEnd(14)} ${String(s.inputs).padStart(9)} inputs in ${String(s.seconds).padStart(5)} s (${s.shards} shards)  ${s.failures.length === 0 ? 'no crash, hang or changed state' : `${s.failures.length} FAILED`}`,
  );
  for (const f of s.failures) console.log(`  ${f.outcome} (seed ${f.seed}): ${f.detail ?? ''}`);
}
process.exit(summary.every((s) => s.failures.length === 0) ? 0 : 1);
