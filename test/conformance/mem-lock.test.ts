/**
 * -overcommit mem-lock (and 5.2's -realtime mlock) against each Debian release's real
 * qemu-system-x86_64: QEMU's messages for the option and for virtio-mem on a locked VM, and the
 * host memory of a paused locked VM. The real process also locks QEMU itself (its TCG code
 * buffer, libraries, heap: about 1.3-1.6 GiB of VmLck here), so the figures compared are the
 * growth of VmLck and VmRSS between two guest RAM sizes, which hotmem's x-query-host-memory
 * (`locked`, `rss`: guest memory only) must equal to within 1 MiB.
 */
import { strict as assert } from 'node:assert';
import { qemuBinary } from '../../src/cli/binary.js';
import { compareReleases, release as parseRelease } from '../../src/core/release.js';
import { MiB } from '../../src/core/units.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { requireModelled } from './modelled-release.js';
import { growth, hotmemFigures, realFigures } from './host-figures.js';
import { runQemu } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S'];
const VIRTIO_MEM = ['-machine', 'pc', '-m', '128M,maxmem=1G,slots=1', '-object', 'memory-backend-ram,id=m0,size=256M'];

/** Each makes every release exit with an error. */
const MESSAGE_CASES: readonly (readonly string[])[] = [
  ['-overcommit', 'mem-lock=yes', '-machine', 'frob'],
  ['-overcommit', 'mem-lock=on-fault', '-machine', 'frob'],
  ['-overcommit', 'mem-lock', '-machine', 'frob'],
  ['-realtime', 'mlock=foo'],
  ['-realtime', 'mlock=on', '-machine', 'frob'],
  ['-overcommit', 'mem-lock=on', ...VIRTIO_MEM, '-device', 'virtio-mem-pci,id=vm0,memdev=m0'],
  ['-overcommit', 'mem-lock=on', ...VIRTIO_MEM, '-device', 'virtio-mem-pci,id=vm0,memdev=m0,node=3'],
];

/**
 * Long enough for any of these to exit with its error: QEMU locks (and so populates) itself and
 * its RAM before it creates devices, which on a loaded host takes 10 s and more (5.2: about
 * 1.5 GiB under TCG) before virtio-mem gets to refuse.
 */
const EXIT_WITHIN_MS = 45_000;

describe('conformance: -overcommit mem-lock messages, qemu-system-x86_64, every Debian release', function () {
  this.timeout(90_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const args of MESSAGE_CASES) {
        it(args.join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const real = await runQemu(q.binary, [...COMMON, ...args], { timeoutMs: EXIT_WITHIN_MS });
          const err: string[] = [];
          const outcome = runHotmem(qemuBinary(new Map([['qemu-version', q.release]])), [...COMMON, ...args], {
            out: () => undefined,
            err: (t) => err.push(t),
          });
          assert.deepEqual(
            { status: outcome.kind === 'exited' ? outcome.status : 'running', stderr: err.join('') },
            { status: real.timedOut ? 'running' : real.code, stderr: real.stderr },
          );
        });
      }
    });
  }
});

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
        const real = growth(await realFigures(q.binary, [...COMMON, ...ram(SMALL), ...lock]), await realFigures(q.binary, [...COMMON, ...ram(LARGE), ...lock]));
        const modelledLarge = hotmemFigures(q.release, [...COMMON, ...ram(LARGE), ...lock]);
        const modelled = growth(hotmemFigures(q.release, [...COMMON, ...ram(SMALL), ...lock]), modelledLarge);
        assert.deepEqual([modelledLarge.locked, modelledLarge.rss], [LARGE, value === 'on' ? LARGE : 0]);
        for (const key of ['locked', 'rss'] as const) {
          assert.ok(
            Math.abs(real[key] - modelled[key]) <= MiB,
            `${key}: the real process grew by ${real[key]} bytes from ${SMALL / MiB} to ${LARGE / MiB} MiB of RAM, hotmem by ${modelled[key]}`,
          );
        }
      });
    }
  }
});
