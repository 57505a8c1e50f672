/**
 * virtio-balloon against the installed QEMU (Debian's 7.2): `-device ...,help` byte for byte,
 * start-up errors as printed, and for a table of machine types the device's properties after
 * compat, its host feature word (x-query-virtio-status) and the balloon/query-balloon/qom
 * replies, each compared with a hotmem machine built from the same arguments. Skips, saying so,
 * where a QEMU binary is missing or is not a release hotmem models.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { BALLOON_COMMANDS } from '../../src/frontends/qmp/commands/balloon.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { Machine, type StartupItem } from '../../src/machine/machine.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { TRANSPORT_FEATURE_NAMES } from '../../src/virtio/transport-features.js';
import { VIRTIO_BALLOON_FEATURE_NAMES } from '../../devices/virtio-balloon/features.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../devices/virtio-balloon/index.js';
import { balloonBinary } from '../devices/virtio-balloon/helpers.js';
import { findQemuSystem, QmpError, QmpSession, qemuVersion, runQemu } from './qemu.js';

const DEBIAN_PACKAGE = { x86_64: 'qemu-system-x86', s390x: 'qemu-system-misc' } as const;
const DRIVER = { x86_64: 'virtio-balloon-pci', s390x: 'virtio-balloon-ccw' } as const;
const COMMON = ['-display', 'none', '-nodefaults', '-S'];
const MiB = 2 ** 20;

/** The installed binary and its release, or a skip that says why. */
async function requireQemu(context: Mocha.Context, arch: Arch): Promise<{ binary: string; release: string }> {
  const binary = findQemuSystem(arch);
  if (binary === null) {
    console.log(`      skipped: qemu-system-${arch} is not installed (Debian: apt-get install ${DEBIAN_PACKAGE[arch]})`);
    context.skip();
  }
  const v = await qemuVersion(binary);
  const release = `${v.major}.${v.minor}`;
  if (!loadCompatData().releases().some((r) => r.version === release)) {
    console.log(`      skipped: ${binary} is QEMU ${release}, which hotmem does not model`);
    context.skip();
  }
  return { binary, release };
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
  ...['deflate-on-oom', 'free-page-hint', 'page-poison', 'free-page-reporting', 'qemu-4-0-config-size', 'iothread', 'guest-stats-polling-interval', 'any_layout', 'use-started'].map(
    (property) => ['qom-get', { path, property }] as const,
  ),
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

function hotmemMachine(release: string, arch: Arch, machineType: string, device: string, iothread: boolean): { machine: Machine; ask: (c: string, a?: Record<string, unknown>) => Answer } {
  const items: StartupItem[] = [
    ...(iothread ? [{ kind: 'object' as const, type: 'iothread', id: 'io0', props: [] }] : []),
    { kind: 'device', driver: DRIVER[arch], id: 'b0', props: device ? device.split(',').map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! })) : [] },
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

describe('conformance: virtio-balloon', function () {
  this.timeout(120_000);

  describe('-device help', () => {
    it('qemu-system-x86_64 -device virtio-balloon-pci,help equals hotmem byte for byte', async function () {
      const { binary, release } = await requireQemu(this, 'x86_64');
      const real = await runQemu(binary, ['-device', 'virtio-balloon-pci,help']);
      const out: string[] = [];
      runHotmem(balloonBinary(release, 'x86_64'), ['-device', 'virtio-balloon-pci,help'], { out: (t) => out.push(t), err: () => undefined });
      assert.equal(out.join(''), real.stdout);
    });

    it("qemu-system-s390x -device virtio-balloon-ccw,help: the balloon's own lines byte for byte", async function () {
      const { binary, release } = await requireQemu(this, 's390x');
      const real = await runQemu(binary, ['-device', 'virtio-balloon-ccw,help']);
      const out: string[] = [];
      runHotmem(balloonBinary(release, 's390x'), ['-device', 'virtio-balloon-ccw,help'], { out: (t) => out.push(t), err: () => undefined });
      // The ccw transport's base properties (devno, dev_id, subch_id, ioeventfd) belong to src/virtio.
      const OWN = /^ {2}(deflate-on-oom|free-page-hint|free-page-reporting|guest-stats|guest-stats-polling-interval|iothread|page-poison|qemu-4-0-config-size|virtio-backend)=/;
      const own = (text: string) => text.split('\n').filter((l) => OWN.test(l));
      assert.equal(own(out.join('')).length, 9);
      assert.deepEqual(own(out.join('')), own(real.stdout));
    });

    it('qemu-system-x86_64 -object iothread,help equals hotmem byte for byte', async function () {
      const { binary, release } = await requireQemu(this, 'x86_64');
      const real = await runQemu(binary, ['-object', 'iothread,help']);
      const out: string[] = [];
      runHotmem(balloonBinary(release, 'x86_64'), ['-object', 'iothread,help'], { out: (t) => out.push(t), err: () => undefined });
      assert.equal(out.join(''), real.stdout);
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
        const { binary, release } = await requireQemu(this, 'x86_64');
        const real = await runQemu(binary, [...COMMON, '-machine', 'q35', ...args]);
        assert.equal(real.timedOut, false, 'QEMU did not exit: not an error case');
        const out: string[] = [];
        const err: string[] = [];
        const outcome = runHotmem(balloonBinary(release, 'x86_64'), [...COMMON, '-machine', 'q35', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
        assert.deepEqual(
          { status: outcome.kind === 'exited' ? outcome.status : 'running', stdout: out.join(''), stderr: err.join('') },
          { status: real.code, stdout: real.stdout, stderr: real.stderr },
        );
      });
    }
  });

  describe('properties, features and replies by machine type', () => {
    // arch, machine type, device options (iothread=io0 makes an -object iothread,id=io0)
    const MACHINES: ReadonlyArray<readonly [Arch, string, string]> = [
      ['x86_64', 'pc-q35-7.2', ''],
      ['x86_64', 'pc-i440fx-7.2', 'deflate-on-oom=on,free-page-reporting=on'],
      ['x86_64', 'pc-q35-7.2', 'free-page-hint=on,iothread=io0,guest-stats-polling-interval=5'],
      ['x86_64', 'pc-q35-6.2', ''],
      ['x86_64', 'pc-q35-5.1', 'free-page-reporting=on'],
      ['x86_64', 'pc-q35-5.0', ''],
      ['x86_64', 'pc-q35-5.0', 'page-poison=on'],
      ['x86_64', 'pc-q35-4.1', ''],
      ['x86_64', 'pc-q35-4.0', ''],
      ['x86_64', 'pc-q35-3.1', 'free-page-hint=on,iothread=io0'],
      ['x86_64', 'pc-i440fx-2.3', ''],
      ['s390x', 's390-ccw-virtio-7.2', ''],
      ['s390x', 's390-ccw-virtio-7.2', 'deflate-on-oom=on,free-page-reporting=on'],
      ['s390x', 's390-ccw-virtio-5.0', ''],
      ['s390x', 's390-ccw-virtio-4.0', ''],
      ['s390x', 's390-ccw-virtio-2.4', ''],
    ];
    for (const [arch, machineType, device] of MACHINES) {
      it(`${arch} ${machineType} ${DRIVER[arch]}${device ? `,${device}` : ''}`, async function () {
        const { binary, release } = await requireQemu(this, arch);
        const iothread = device.includes('iothread=');
        const real = await QmpSession.start(binary, [
          '-machine', machineType, '-m', '1G',
          ...(iothread ? ['-object', 'iothread,id=io0'] : []),
          '-device', `${DRIVER[arch]},id=b0${device ? `,${device}` : ''}`,
        ]);
        try {
          const model = hotmemMachine(release, arch, machineType, device, iothread);
          const path = '/machine/peripheral/b0';
          for (const [command, args] of QUESTIONS(path)) {
            assert.deepEqual(model.ask(command, args), await askQemu(real, command, args), `${command} ${JSON.stringify(args ?? {})}`);
          }
          const status = (await real.execute('x-query-virtio-status', { path: `${path}/virtio-backend` })) as { 'host-features': DecodedFeatures; 'num-vqs': number };
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
