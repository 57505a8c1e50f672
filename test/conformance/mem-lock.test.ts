/**
 * -overcommit mem-lock (and 5.2's -realtime mlock) against each Debian release's real
 * qemu-system-x86_64: QEMU's messages for the option and for virtio-mem on a locked VM, and the
 * host memory of a paused locked VM. The real process also locks QEMU itself (its TCG code
 * buffer, libraries, heap: about 1.3-1.6 GiB of VmLck here), so the figures compared are the
 * growth of VmLck and VmRSS between two guest RAM sizes, which hotmem's x-query-host-memory
 * (`locked`, `rss`: guest memory only) must equal to within 1 MiB.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { qemuBinary } from '../../src/cli/binary.js';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { compareReleases, release as parseRelease } from '../../src/core/release.js';
import { MiB } from '../../src/core/units.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession, runQemu } from './qemu.js';
import { realQemus, requireReal, TEST_HOST_ARCH } from './real-qemu.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S'];
const VIRTIO_MEM = ['-machine', 'pc', '-m', '128M,maxmem=1G,slots=1', '-object', 'memory-backend-ram,id=m0,size=256M'];

/** Each makes QEMU exit with an error, except where a release runs it (compared as running, stderr as printed). */
const MESSAGE_CASES: readonly (readonly string[])[] = [
  ['-overcommit', 'mem-lock=yes', '-machine', 'frob'],
  ['-overcommit', 'mem-lock=on-fault', '-machine', 'frob'],
  ['-overcommit', 'mem-lock', '-machine', 'frob'],
  ['-realtime', 'mlock=foo'],
  ['-realtime', 'mlock=on', '-machine', 'frob'],
  ['-overcommit', 'mem-lock=on', ...VIRTIO_MEM, '-device', 'virtio-mem-pci,id=vm0,memdev=m0'],
  ['-overcommit', 'mem-lock=on', ...VIRTIO_MEM, '-device', 'virtio-mem-pci,id=vm0,memdev=m0,node=3'],
];

/** Long enough for any of these to exit with its error; a QEMU still up after it runs the machine. */
const RUNNING_AFTER_MS = 6_000;

describe('conformance: -overcommit mem-lock messages, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const args of MESSAGE_CASES) {
        it(args.join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const real = await runQemu(q.binary, [...COMMON, ...args], { timeoutMs: RUNNING_AFTER_MS });
          const err: string[] = [];
          const outcome = runHotmem(qemuBinary(new Map([['qemu-version', q.release]])), [...COMMON, ...args], {
            out: () => undefined,
            err: (t) => err.push(t),
          });
          // A killed QEMU prints nothing more; a running one is compared by what it printed.
          assert.deepEqual(
            { status: outcome.kind === 'exited' ? outcome.status : 'running', stderr: err.join('') },
            { status: real.timedOut ? 'running' : real.code, stderr: real.stderr },
          );
        });
      }
    });
  }
});

interface LockFigures {
  readonly locked: number;
  readonly rss: number;
}

const statusLine = (text: string, name: string): number => {
  const kib = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1];
  if (kib === undefined) throw new Error(`no ${name} in /proc/PID/status`);
  return Number(kib) * 1024;
};

/**
 * VmLck and VmRSS of a paused real QEMU once locking has populated what it will: the readings
 * are taken every 250 ms until VmRSS stays within 1 MiB for three of them (10 s at most).
 */
async function realFigures(binary: string, args: readonly string[]): Promise<LockFigures> {
  const session = await QmpSession.start(binary, args);
  const read = (): LockFigures => {
    const text = readFileSync(`/proc/${session.pid}/status`, 'utf8');
    return { locked: statusLine(text, 'VmLck'), rss: statusLine(text, 'VmRSS') };
  };
  try {
    let last = read();
    let steady = 0;
    for (let i = 0; i < 40 && steady < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = read();
      steady = Math.abs(now.rss - last.rss) <= MiB ? steady + 1 : 0;
      last = now;
    }
    return last;
  } finally {
    await session.quit();
  }
}

function hotmemFigures(release: string, args: readonly string[]): LockFigures {
  const started = QemuProcess.start(
    { qemuVersion: release, arch: 'x86_64', hostArch: TEST_HOST_ARCH, hostKernel: 'linux-6.1', guest: undefined, argv: [...COMMON, ...args] },
    undefined,
  );
  if (started.kind === 'exited') throw new Error(`hotmem exited with ${started.status}`);
  const replies: QmpMessage[] = [];
  const session = new HotmemSession(started.process.ctx, QMP_COMMANDS, (m) => replies.push(m));
  session.handle('{"execute": "qmp_capabilities"}');
  session.handle('{"execute": "x-query-host-memory"}');
  session.close();
  const memory = replies.at(-1)?.['return'] as { locked: number; rss: number };
  return { locked: memory.locked, rss: memory.rss };
}

const SMALL = 128 * MiB;
const LARGE = 384 * MiB;
const ram = (size: number) => ['-machine', 'pc', '-m', `${size / MiB}M`];

describe('conformance: -overcommit mem-lock host memory, qemu-system-x86_64, every Debian release', function () {
  this.timeout(120_000);
  for (const q of realQemus('x86_64')) {
    for (const value of ['on', 'on-fault'] as const) {
      it(`QEMU ${q.release} (${q.suite}): mem-lock=${value} locks guest RAM${value === 'on' ? ' and makes it resident' : ''}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        if (value === 'on-fault' && compareReleases(parseRelease(q.release), { major: 10, minor: 0 }) < 0) {
          console.log(`      skipped: QEMU ${q.release} has no mem-lock=on-fault (the messages table compares its refusal)`);
          this.skip();
        }
        const lock = ['-overcommit', `mem-lock=${value}`];
        const small = await realFigures(q.binary, [...COMMON, ...ram(SMALL), ...lock]);
        const large = await realFigures(q.binary, [...COMMON, ...ram(LARGE), ...lock]);
        const growth = { locked: large.locked - small.locked, rss: large.rss - small.rss };
        const modelled = hotmemFigures(q.release, [...ram(LARGE), ...lock]);
        const modelledSmall = hotmemFigures(q.release, [...ram(SMALL), ...lock]);
        const modelledGrowth = { locked: modelled.locked - modelledSmall.locked, rss: modelled.rss - modelledSmall.rss };
        assert.deepEqual(modelled, { locked: LARGE, rss: value === 'on' ? LARGE : 0 });
        for (const key of ['locked', 'rss'] as const) {
          assert.ok(
            Math.abs(growth[key] - modelledGrowth[key]) <= MiB,
            `${key}: the real process grew by ${growth[key]} bytes from ${SMALL / MiB} to ${LARGE / MiB} MiB of RAM, hotmem by ${modelledGrowth[key]}`,
          );
        }
      });
    }
  }
});
