/**
 * Bus addresses against the real QEMU of every Debian suite: for a handful of pc-i440fx and
 * pc-q35 configurations the slot and function query-pci reports for each -device, the RAMBlock
 * names `info ramblock` lists (a virtio-mem memdev's carries its device's PCI address), and the
 * start-up errors of occupied or invalid addresses, each compared with `hotmem qemu` of the same
 * release given the same arguments. QEMU's default devices (no -nodefaults) are compared by the
 * slots they hold, through the error a -device at that slot gets. On s390x the CCW ids of a
 * virtio-balloon-ccw (qom-get devno, dev_id, subch_id). Skips, saying so, where a binary is missing.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { formatReport, runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { Machine, StartupError, type StartupItem } from '../../src/machine/machine.js';
import { migratableBlocks } from '../../src/migration/ram-blocks.js';
import { QmpSession, runQemu } from './qemu.js';
import { realQemus, requireReal, type MissingQemu, type RealQemu } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S'];

/** The release's real binary, or a skip saying what is missing. */
function requireQemu(context: Mocha.Context, q: RealQemu | MissingQemu): string {
  requireReal(context, q);
  requireModelled(context, q.release);
  return q.binary;
}

const hotmem = (release: string, arch: Arch = 'x86_64') =>
  qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  );

/** A running hotmem machine for the arguments, or what it printed on stderr. */
function startHotmem(release: string, args: readonly string[], arch: Arch = 'x86_64'): { machine: Machine } | { stderr: string } {
  const err: string[] = [];
  const outcome = runHotmem(hotmem(release, arch), [...COMMON, ...args], { out: () => undefined, err: (t) => err.push(t) });
  return outcome.kind === 'running' ? { machine: outcome.machine } : { stderr: err.join('') };
}

interface QueryPciDevice {
  readonly slot: number;
  readonly function: number;
  readonly qdev_id: string;
}

const MEMORY = ['-m', '128M,maxmem=2G'];
const backend = (id: string, type = 'memory-backend-ram', extra = '') => ['-object', `${type},id=${id},size=256M${extra}`];
const dev = (spec: string) => ['-device', spec];

interface Case {
  readonly what: string;
  readonly args: readonly string[];
}

const PLACED: readonly Case[] = [
  { what: 'q35: the first free slot', args: ['-machine', 'q35', ...backend('mem0'), ...dev('virtio-mem-pci,id=vm0,memdev=mem0')] },
  { what: 'i440fx: the first free slot', args: ['-machine', 'pc', ...backend('mem0'), ...dev('virtio-mem-pci,id=vm0,memdev=mem0')] },
  {
    what: 'q35: addr=2, then two devices filling the gaps',
    args: [
      '-machine',
      'q35',
      ...backend('mem0'),
      ...backend('mem1'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=2'),
      ...dev('virtio-mem-pci,id=vm1,memdev=mem1'),
      ...dev('virtio-balloon-pci,id=b0'),
    ],
  },
  {
    what: 'i440fx: a balloon first, then addr=1.2 and a multifunction device at 5',
    args: [
      '-machine',
      'pc',
      ...backend('mem0'),
      ...backend('mem1'),
      ...dev('virtio-balloon-pci,id=b0'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=1.2'),
      ...dev('virtio-mem-pci,id=vm1,memdev=mem1,addr=5,multifunction=on'),
    ],
  },
  {
    what: 'q35: addr=1f.4, a canonical-path memdev, and an unused backend',
    args: [
      '-machine',
      'q35',
      ...backend('mem0', 'memory-backend-memfd', ',x-use-canonical-path-for-ramblock-id=on'),
      ...backend('spare'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=1f.4'),
    ],
  },
];

const REFUSED: readonly Case[] = [
  { what: 'i440fx addr=1 (PIIX3)', args: ['-machine', 'pc', ...backend('mem0'), ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=1')] },
  { what: 'q35 addr=0x1f (ICH9-LPC)', args: ['-machine', 'q35', ...backend('mem0'), ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=0x1f')] },
  {
    what: 'i440fx: a device id holds the slot',
    args: [
      '-machine',
      'pc',
      ...backend('mem0'),
      ...backend('mem1'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0'),
      ...dev('virtio-mem-pci,id=vm1,memdev=mem1,addr=2'),
    ],
  },
  {
    what: 'i440fx: function 1 behind a single-function device',
    args: [
      '-machine',
      'pc',
      ...backend('mem0'),
      ...backend('mem1'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=2'),
      ...dev('virtio-mem-pci,id=vm1,memdev=mem1,addr=2.1'),
    ],
  },
  { what: 'q35 addr=0x20 (not a slot)', args: ['-machine', 'q35', ...backend('mem0'), ...dev('virtio-mem-pci,id=vm0,memdev=mem0,addr=0x20')] },
];

/** `info ramblock`'s block names that belong to memory backends: no ROMs or firmware, no unused (nameless) backend. */
function backendBlockNames(info: string): string[] {
  return info
    .split('\n')
    .map((line) => /^\s*(.*?)\s+\d+ [KMGT]iB\s+0x/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== '' && !name.startsWith('/rom@') && name !== 'pc.bios' && name !== 'pc.rom');
}

describe('conformance: PCI addresses and RAMBlock names by release', function () {
  this.timeout(120_000);

  for (const [xq, sq] of realQemus('x86_64', 'all').map((q, i) => [q, realQemus('s390x', 'all')[i]!] as const)) {
    describe(`QEMU ${xq.release} (${xq.suite})`, () => {
      for (const c of PLACED) {
        it(`${c.what}: query-pci and info ramblock`, async function () {
          const binary = requireQemu(this, xq);
          const args = [...MEMORY, ...c.args];
          const session = await QmpSession.start(binary, args, { paused: true });
          let real: Record<string, number>;
          let realBlocks: string[];
          try {
            const buses = await session.execute<Array<{ devices: QueryPciDevice[] }>>('query-pci');
            real = Object.fromEntries(
              buses
                .flatMap((b) => b.devices)
                .filter((d) => d.qdev_id !== '')
                .map((d) => [d.qdev_id, (d.slot << 3) | d.function]),
            );
            const info = await session.execute<string>('human-monitor-command', { 'command-line': 'info ramblock' });
            realBlocks = backendBlockNames(info).sort();
          } finally {
            await session.quit();
          }
          const started = startHotmem(xq.release, args);
          assert.ok('machine' in started, `hotmem refused: ${'stderr' in started ? started.stderr : ''}`);
          const model = Object.fromEntries(Object.keys(real).map((id) => [id, started.machine.model.resolvePath(id)?.get('addr')]));
          assert.deepEqual(model, real);
          assert.deepEqual(
            migratableBlocks(started.machine)
              .map((b) => b.idstr)
              .sort(),
            realBlocks,
          );
        });
      }

      for (const c of REFUSED) {
        it(`${c.what}: the start-up error`, async function () {
          const binary = requireQemu(this, xq);
          const args = [...MEMORY, ...c.args];
          const real = await runQemu(binary, [...COMMON, ...args]);
          assert.notEqual(real.code, 0);
          const started = startHotmem(xq.release, args);
          assert.ok('stderr' in started, 'hotmem started the machine');
          assert.equal(started.stderr, real.stderr);
        });
      }

      // Without -nodefaults QEMU adds a VGA and a NIC. hotmem's command line does not pass that on
      // (it ignores -nodefaults), so the model side starts the Machine with defaultDevices directly.
      const DEFAULTS: ReadonlyArray<readonly [machine: string, addr: string]> = [
        ['q35', '1'],
        ['q35', '2'],
        ['pc-q35-2.11', '2'],
        ['pc', '2'],
        ['pc', '3'],
      ];
      for (const [machine, addr] of DEFAULTS) {
        it(`${machine} without -nodefaults: addr=${addr} is held by a default device`, async function () {
          const binary = requireQemu(this, xq);
          const spec = `virtio-mem-pci,id=vm0,memdev=mem0,addr=${addr}`;
          const real = await runQemu(binary, ['-display', 'none', '-S', '-machine', machine, ...MEMORY, ...backend('mem0'), '-device', spec]);
          const items: StartupItem[] = [
            { kind: 'object', type: 'memory-backend-ram', id: 'mem0', props: [{ name: 'size', value: '256M' }] },
            {
              kind: 'device',
              driver: 'virtio-mem-pci',
              id: 'vm0',
              props: [
                { name: 'memdev', value: 'mem0' },
                { name: 'addr', value: addr },
              ],
              location: `-device ${spec}`,
            },
          ];
          let message = '';
          try {
            Machine.start(
              { release: xq.release, arch: 'x86_64', machine, memory: '128M,maxmem=2G', defaultDevices: { vga: true, nic: true }, items },
              hotmem(xq.release).environment,
            );
          } catch (e) {
            if (!(e instanceof StartupError)) throw e;
            // Warnings printed before the failure (10.0 deprecates pc-q35-2.11) come first.
            message = [...e.warningsBefore.map((w) => formatReport('x86_64', w.location, w.message, true)), formatReport('x86_64', e.location, e.message)].join(
              '',
            );
          }
          assert.equal(message, real.stderr);
        });
      }

      it('s390x: CCW ids of a virtio-balloon-ccw, automatic and given', async function () {
        const binary = requireQemu(this, sq);
        for (const spec of ['virtio-balloon-ccw,id=b0', 'virtio-balloon-ccw,id=b0,devno=0.0.0001', 'virtio-balloon-ccw,id=b0,devno=fe.3.ffff']) {
          const args = ['-machine', 's390-ccw-virtio', '-m', '256M', '-device', spec];
          const session = await QmpSession.start(binary, args, { paused: true });
          const real: unknown[] = [];
          try {
            for (const property of ['devno', 'dev_id', 'subch_id']) real.push(await session.execute('qom-get', { path: 'b0', property }));
          } finally {
            await session.quit();
          }
          const started = startHotmem(sq.release, args, 's390x');
          assert.ok('machine' in started, `hotmem refused: ${'stderr' in started ? started.stderr : ''}`);
          const b0 = started.machine.model.resolvePath('b0')!;
          assert.deepEqual(
            ['devno', 'dev_id', 'subch_id'].map((p) => b0.get(p)),
            real,
            spec,
          );
        }
      });
    });
  }
});
