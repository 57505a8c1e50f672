/**
 * virtio-balloon against the real QEMU of every Debian suite: `-device ...,help` byte for byte,
 * start-up errors as printed, and for a table of machine types the device's properties after
 * compat, its host features and queues, and the balloon/query-balloon/qom replies, each compared
 * with a hotmem machine of the same release built from the same arguments. Skips, saying so,
 * where a root is missing or its release is not modelled.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { compareReleases, release as parseRelease } from '../../src/core/release.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { BALLOON_COMMANDS } from '../../src/frontends/qmp/commands/balloon.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { Machine, type StartupItem } from '../../src/machine/machine.js';
import { TRANSPORT_FEATURE_NAMES } from '../../src/virtio/transport-features.js';
import { VIRTIO_BALLOON_FEATURE_NAMES } from '../../devices/virtio-balloon/features.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../devices/virtio-balloon/index.js';
import { balloonBinary } from '../devices/virtio-balloon/helpers.js';
import { QmpError, QmpSession, runQemu } from './qemu.js';
import { crashes, realQemus, requireReal, type MissingQemu, type RealQemu } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

const DRIVER = { x86_64: 'virtio-balloon-pci', s390x: 'virtio-balloon-ccw' } as const;
const COMMON = ['-display', 'none', '-nodefaults', '-S'];
const MiB = 2 ** 20;

/** The release's real binary for `arch`, or a skip that says what is missing. */
function requireQemu(context: Mocha.Context, q: RealQemu | MissingQemu): { binary: string; release: string } {
  requireReal(context, q);
  requireModelled(context, q.release);
  return { binary: q.binary, release: q.release };
}

/**
 * What hotmem does not match yet, by release, each with its reason. The tests remove exactly
 * these lines (and fail if one is no longer there, so the list cannot go stale) and compare the
 * rest byte for byte.
 */
interface KnownHelpDifference {
  readonly release: string;
  /** The help request. */
  readonly help: 'virtio-balloon-pci' | 'iothread';
  /** Lines of the help only the real binary prints. */
  readonly realOnly: readonly string[];
  /** Lines only hotmem prints. */
  readonly hotmemOnly: readonly string[];
  readonly reason: string;
}

const KNOWN_HELP_DIFFERENCES: readonly KnownHelpDifference[] = [];

/** `text` without the lines listed, each of which must be there. */
function withoutKnown(text: string, lines: readonly string[], side: string): string {
  const all = text.split('\n');
  for (const line of lines) assert.ok(all.includes(line), `known difference no longer printed by ${side}: ${line}`);
  return all.filter((l) => !lines.includes(l)).join('\n');
}

/** x-query-virtio-status names → bits (QEMU calls bit 33 IOMMU_PLATFORM). */
const BIT_BY_NAME = new Map<string, number>([
  ...TRANSPORT_FEATURE_NAMES.map((d) => [d.name, d.bit] as [string, number]),
  ...VIRTIO_BALLOON_FEATURE_NAMES.map((d) => [d.name, d.bit] as [string, number]),
  ['VIRTIO_F_IOMMU_PLATFORM', 33],
]);

interface DecodedFeatures {
  readonly 'dev-features': readonly string[];
  readonly transports: readonly string[];
  readonly 'unknown-dev-features'?: number;
}

function featureWord(decoded: DecodedFeatures): bigint {
  let word = BigInt(decoded['unknown-dev-features'] ?? 0);
  for (const text of [...decoded['dev-features'], ...decoded.transports]) {
    const bit = BIT_BY_NAME.get(text.slice(0, text.indexOf(':')));
    assert.notEqual(bit, undefined, `unknown feature text ${text}`);
    word |= 1n << BigInt(bit!);
  }
  return word;
}

/** What a test asks both QEMUs, as [command, arguments]. */
const QUESTIONS = (path: string): ReadonlyArray<readonly [string, Record<string, unknown>?]> => [
  ...[
    'deflate-on-oom',
    'free-page-hint',
    'page-poison',
    'free-page-reporting',
    'qemu-4-0-config-size',
    'iothread',
    'guest-stats-polling-interval',
    'any_layout',
    'use-started',
  ].map((property) => ['qom-get', { path, property }] as const),
  ['qom-get', { path, property: 'guest-stats' }],
  ['query-balloon'],
  ['balloon', { value: 512 * MiB }],
  ['query-balloon'],
  ['balloon', { value: 64 * 1024 * MiB }],
  ['balloon', { value: 0 }],
  ['balloon', { value: 'x' }],
  ['qom-set', { path, property: 'guest-stats-polling-interval', value: -1 }],
  ['qom-set', { path, property: 'deflate-on-oom', value: true }],
];

type Answer = { readonly return: unknown } | { readonly error: { readonly class: string; readonly desc: string } };

async function askQemu(session: QmpSession, command: string, args?: Record<string, unknown>): Promise<Answer> {
  try {
    return { return: await session.execute(command, args) };
  } catch (e) {
    if (e instanceof QmpError) return { error: { class: e.errorClass, desc: e.desc } };
    throw e;
  }
}

function hotmemMachine(
  release: string,
  arch: Arch,
  machineType: string,
  device: string,
  iothread: boolean,
): { machine: Machine; ask: (c: string, a?: Record<string, unknown>) => Answer } {
  const items: StartupItem[] = [
    ...(iothread ? [{ kind: 'object' as const, type: 'iothread', id: 'io0', props: [] }] : []),
    {
      kind: 'device',
      driver: DRIVER[arch],
      id: 'b0',
      props: device ? device.split(',').map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! })) : [],
    },
  ];
  const { machine } = Machine.start({ release, arch, machine: machineType, memory: '1G', items }, balloonBinary(release, arch).environment);
  const [major, minor] = release.split('.').map(Number) as [number, number];
  let reply: QmpMessage | undefined;
  const s = new HotmemSession(
    { machine, version: { major, minor, micro: 0 }, settle: () => undefined, requestQuit: () => undefined, quitRequested: () => false },
    [...QMP_COMMANDS, ...BALLOON_COMMANDS],
    (m) => {
      if (!('event' in m)) reply = m;
    },
  );
  s.handle('{"execute": "qmp_capabilities"}');
  return {
    machine,
    ask: (command, args) => {
      s.handle(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) }));
      return reply as Answer;
    },
  };
}

describe('conformance: virtio-balloon by release', function () {
  this.timeout(120_000);

  for (const [xq, sq] of realQemus('x86_64', 'all').map((q, i) => [q, realQemus('s390x', 'all')[i]!] as const)) {
    describe(`QEMU ${xq.release} (${xq.suite})`, () => {
      describe('-device help', () => {
        it('qemu-system-x86_64 -device virtio-balloon-pci,help equals hotmem byte for byte', async function () {
          const { binary, release } = requireQemu(this, xq);
          const real = await runQemu(binary, ['-device', 'virtio-balloon-pci,help']);
          const out: string[] = [];
          runHotmem(balloonBinary(release, 'x86_64'), ['-device', 'virtio-balloon-pci,help'], { out: (t) => out.push(t), err: () => undefined });
          const known = KNOWN_HELP_DIFFERENCES.find((k) => k.release === release && k.help === 'virtio-balloon-pci');
          if (known) console.log(`      known difference (${release}): ${known.reason}`);
          assert.equal(withoutKnown(out.join(''), known?.hotmemOnly ?? [], 'hotmem'), withoutKnown(real.stdout, known?.realOnly ?? [], 'QEMU'));
        });

        it("qemu-system-s390x -device virtio-balloon-ccw,help: the balloon's own lines byte for byte", async function () {
          const { binary, release } = requireQemu(this, sq);
          const real = await runQemu(binary, ['-device', 'virtio-balloon-ccw,help']);
          const out: string[] = [];
          runHotmem(balloonBinary(release, 's390x'), ['-device', 'virtio-balloon-ccw,help'], { out: (t) => out.push(t), err: () => undefined });
          // The ccw transport's base properties (devno, dev_id, subch_id, ioeventfd) belong to src/virtio.
          const OWN =
            /^ {2}(deflate-on-oom|free-page-hint|free-page-reporting|guest-stats|guest-stats-polling-interval|iothread|page-poison|qemu-4-0-config-size|virtio-backend)=/;
          const own = (text: string) => text.split('\n').filter((l) => OWN.test(l));
          assert.notEqual(own(real.stdout).length, 0);
          assert.deepEqual(own(out.join('')), own(real.stdout));
        });

        it('qemu-system-x86_64 -object iothread,help equals hotmem byte for byte', async function () {
          const { binary, release } = requireQemu(this, xq);
          const real = await runQemu(binary, ['-object', 'iothread,help']);
          const out: string[] = [];
          runHotmem(balloonBinary(release, 'x86_64'), ['-object', 'iothread,help'], { out: (t) => out.push(t), err: () => undefined });
          const known = KNOWN_HELP_DIFFERENCES.find((k) => k.release === release && k.help === 'iothread');
          if (known) console.log(`      known difference (${release}): ${known.reason}`);
          assert.equal(withoutKnown(out.join(''), known?.hotmemOnly ?? [], 'hotmem'), withoutKnown(real.stdout, known?.realOnly ?? [], 'QEMU'));
        });
      });

      describe('start-up errors', () => {
        const CASES: readonly (readonly string[])[] = [
          ['-device', 'virtio-balloon-pci', '-device', 'virtio-balloon-pci'],
          ['-device', 'virtio-balloon-pci,free-page-hint=on'],
          ['-object', 'iothread,id=io0', '-device', 'virtio-balloon-pci,free-page-hint=on,iothread=io0', '-device', 'virtio-balloon-pci,free-page-hint=on'],
          ['-device', 'virtio-balloon-pci,guest-stats-polling-interval=-1'],
          ['-device', 'virtio-balloon-pci,guest-stats-polling-interval=4294967296'],
          ['-device', 'virtio-balloon-pci,iothread=nope'],
        ];
        for (const args of CASES) {
          it(args.join(' '), async function () {
            const { binary, release } = requireQemu(this, xq);
            const real = await runQemu(binary, [...COMMON, '-machine', 'q35', ...args]);
            assert.equal(real.timedOut, false, 'QEMU did not exit: not an error case');
            const out: string[] = [];
            const err: string[] = [];
            const outcome = runHotmem(balloonBinary(release, 'x86_64'), [...COMMON, '-machine', 'q35', ...args], {
              out: (t) => out.push(t),
              err: (t) => err.push(t),
            });
            assert.deepEqual(
              { status: outcome.kind === 'exited' ? outcome.status : 'running', stdout: out.join(''), stderr: err.join('') },
              { status: real.code, stdout: real.stdout, stderr: real.stderr },
            );
          });
        }
      });

      describe('properties, features and replies by machine type', () => {
        // arch, machine type (the aliases are each release's newest), device options
        // (iothread=io0 makes an -object iothread,id=io0)
        const MACHINES: ReadonlyArray<readonly [Arch, string, string]> = [
          ['x86_64', 'q35', ''],
          ['x86_64', 'pc', 'deflate-on-oom=on,free-page-reporting=on'],
          ['x86_64', 'q35', 'free-page-hint=on,iothread=io0,guest-stats-polling-interval=5'],
          ['x86_64', 'pc-q35-5.2', ''],
          ['x86_64', 'pc-q35-5.1', 'free-page-reporting=on'],
          ['x86_64', 'pc-q35-5.0', ''],
          ['x86_64', 'pc-q35-5.0', 'page-poison=on'],
          ['x86_64', 'pc-q35-4.1', ''],
          ['x86_64', 'pc-q35-4.0', ''],
          ['x86_64', 'pc-q35-3.1', 'free-page-hint=on,iothread=io0'],
          ['x86_64', 'pc-i440fx-2.3', ''],
          ['s390x', 's390-ccw-virtio', ''],
          ['s390x', 's390-ccw-virtio', 'deflate-on-oom=on,free-page-reporting=on'],
          ['s390x', 's390-ccw-virtio-5.0', ''],
          ['s390x', 's390-ccw-virtio-4.0', ''],
          ['s390x', 's390-ccw-virtio-2.4', ''],
        ];
        for (const [arch, machineType, device] of MACHINES) {
          it(`${arch} ${machineType} ${DRIVER[arch]}${device ? `,${device}` : ''}`, async function () {
            const q = arch === 'x86_64' ? xq : sq;
            const { binary, release } = requireQemu(this, q);
            const iothread = device.includes('iothread=');
            const args = [
              '-machine',
              machineType,
              '-m',
              '1G',
              ...(iothread ? ['-object', 'iothread,id=io0'] : []),
              '-device',
              `${DRIVER[arch]},id=b0${device ? `,${device}` : ''}`,
            ];
            // A machine type the release no longer has (10.0 dropped pc-i440fx-2.3 and
            // s390-ccw-virtio-2.4): both refuse it alike.
            const err: string[] = [];
            if (runHotmem(balloonBinary(release, arch), [...COMMON, ...args], { out: () => undefined, err: (t) => err.push(t) }).kind === 'exited') {
              const refused = await runQemu(binary, [...COMMON, ...args]);
              assert.deepEqual({ status: 1, stderr: err.join('') }, { status: refused.code, stderr: refused.stderr });
              return;
            }
            const real = await QmpSession.start(binary, args, { exactIntegers: true });
            try {
              const model = hotmemMachine(release, arch, machineType, device, iothread);
              const path = '/machine/peripheral/b0';
              for (const [command, args] of QUESTIONS(path)) {
                assert.deepEqual(model.ask(command, args), await askQemu(real, command, args), `${command} ${JSON.stringify(args ?? {})}`);
              }
              // The feature word and queues, where the release has x-query-virtio-status (7.2+)
              // and it does not crash; virtio-status.test.ts holds the whole reply.
              if (compareReleases(parseRelease(release), { major: 7, minor: 2 }) < 0 || crashes(q, 'x-query-virtio-status')) return;
              const status = await real.execute<{ 'host-features': DecodedFeatures; 'num-vqs': number }>('x-query-virtio-status', {
                path: `${path}/virtio-backend`,
              });
              const runtime = model.machine.model.resolvePath(path)!.child('virtio-backend')!.slots.get(VIRTIO_BALLOON_RUNTIME)!;
              assert.equal(runtime.hostFeatures.toString(), `0x${featureWord(status['host-features']).toString(16)}`);
              assert.equal(runtime.state.setup.queues.length, status['num-vqs']);
            } finally {
              await real.quit();
            }
          });
        }
      });
    });
  }
});
