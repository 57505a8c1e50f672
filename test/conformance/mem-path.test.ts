/**
 * -mem-path (and memory-backend-file's mem-path) against each Debian release's real
 * qemu-system-x86_64: the messages for paths QEMU cannot use, and the host memory of a paused
 * VM whose RAM is a file: with -mem-prealloc the private mapping is copied on write, so RssAnon
 * grows by the guest's RAM and RssFile/RssShmem not at all (growth between two RAM sizes, within
 * 1 MiB, as real VmRSS also holds QEMU itself). hugetlbfs is not compared: no mount is visible in
 * the roots and the host has no huge pages to give.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qemuBinary } from '../../src/cli/binary.js';
import { MiB } from '../../src/core/units.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { growth, hotmemFigures, realFigures } from './host-figures.js';
import { requireModelled } from './modelled-release.js';
import { runQemu } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S'];

/** Cases in a fresh directory under /tmp (bound into the roots): `dir` names it. */
const MESSAGE_CASES: ReadonlyArray<(dir: string) => readonly string[]> = [
  (dir) => ['-mem-path', join(dir, 'missing', 'ram')],
  (dir) => ['-mem-path', join(dir, 'file', 'ram')],
  (dir) => ['-m', '128M', '-mem-path', join(dir, 'small')],
  (dir) => ['-m', '128M', '-object', `memory-backend-file,id=m0,size=128M,mem-path=${join(dir, 'small')}`],
];

function scratch(): string {
  const dir = mkdtempSync('/tmp/hotmem-mem-path-');
  writeFileSync(join(dir, 'file'), '');
  writeFileSync(join(dir, 'small'), '');
  truncateSync(join(dir, 'small'), 64 * MiB);
  return dir;
}

/** Long enough for any of these to exit with its error; a QEMU still up after it runs the machine. */
const RUNNING_AFTER_MS = 6_000;

describe('conformance: -mem-path messages, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const argsIn of MESSAGE_CASES) {
        it(argsIn('DIR').join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const dir = scratch();
          try {
            const args = [...COMMON, ...argsIn(dir)];
            const real = await runQemu(q.binary, args, { timeoutMs: RUNNING_AFTER_MS });
            const err: string[] = [];
            const outcome = runHotmem(qemuBinary(new Map([['qemu-version', q.release]])), args, { out: () => undefined, err: (t) => err.push(t) });
            assert.deepEqual(
              { status: outcome.kind === 'exited' ? outcome.status : 'running', stderr: err.join('') },
              { status: real.timedOut ? 'running' : real.code, stderr: real.stderr },
            );
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        });
      }
    });
  }
});

const SMALL = 64 * MiB;
const LARGE = 320 * MiB;

/** Where the RAM file goes: a directory on the disk, and one on tmpfs. */
const PLACES: ReadonlyArray<readonly [string, string]> = [
  ['a directory on disk', '/tmp/hotmem-mem-path-'],
  ['a directory on tmpfs', '/dev/shm/hotmem-mem-path-'],
];

describe('conformance: -mem-path -mem-prealloc host memory, qemu-system-x86_64, every Debian release', function () {
  this.timeout(120_000);
  for (const q of realQemus('x86_64')) {
    for (const [what, prefix] of PLACES) {
      it(`QEMU ${q.release} (${q.suite}): RAM in ${what}, preallocated, is private anonymous memory`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const dir = mkdtempSync(prefix);
        try {
          const args = (size: number) => [...COMMON, '-machine', 'pc', '-m', `${size / MiB}M`, '-mem-path', dir, '-mem-prealloc'];
          const real = growth(await realFigures(q.binary, args(SMALL)), await realFigures(q.binary, args(LARGE)));
          const large = hotmemFigures(q.release, args(LARGE));
          const modelled = growth(hotmemFigures(q.release, args(SMALL)), large);
          assert.deepEqual([large['rss-anon'], large['rss-file'], large['rss-shmem']], [LARGE, 0, 0]);
          for (const key of ['rss-anon', 'rss-file', 'rss-shmem'] as const) {
            assert.ok(Math.abs(real[key] - modelled[key]) <= MiB, `${key}: the real process grew by ${real[key]} bytes, hotmem by ${modelled[key]}`);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});
