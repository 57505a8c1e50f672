import assert from 'node:assert/strict';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { BALLOON_COMMANDS } from '../../../src/frontends/qmp/commands/balloon.js';
import { QmpSession, type QmpMessage } from '../../../src/frontends/qmp/session.js';
import { kernelVersion } from '../../../src/guest/linux/kernel-version.js';
import { linuxBalloonGuest } from '../../../src/guest/balloon/guest.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import { balloonBinary } from '../../devices/virtio-balloon/helpers.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../../devices/virtio-balloon/index.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const BALLOON: StartupItem = { kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props: [] };

function session(opts: { release?: string; machine?: string; items?: readonly StartupItem[]; guest?: boolean } = {}) {
  const release = opts.release ?? '7.2';
  const { machine } = Machine.start(
    { release, arch: 'x86_64', machine: opts.machine ?? 'q35', memory: '1G', items: opts.items ?? [BALLOON] },
    balloonBinary(release).environment,
  );
  if (opts.guest) {
    const runtime = machine.model.resolvePath('b0')!.child('virtio-backend')!.slots.get(VIRTIO_BALLOON_RUNTIME)!;
    linuxBalloonGuest(machine, runtime, { kernel: kernelVersion('6.1'), initOnAlloc: true, initOnFree: false, pagePoisoning: false }).driver.probe();
  }
  const sent: QmpMessage[] = [];
  const [major, minor] = release.split('.').map(Number) as [number, number];
  const s = new QmpSession(
    // The modelled guest converges after each command, as `hotmem qemu --guest` lets it.
    {
      machine,
      version: { major, minor, micro: 0 },
      settle: () => void machine.scheduler.runUntilIdle(),
      requestQuit: () => undefined,
      quitRequested: () => false,
    },
    [...QMP_COMMANDS, ...BALLOON_COMMANDS],
    (msg) => sent.push(msg),
  );
  s.handle('{"execute": "qmp_capabilities"}');
  const exec = (execute: string, args?: Record<string, unknown>) => {
    sent.length = 0;
    s.handle(JSON.stringify({ execute, ...(args ? { arguments: args } : {}) }));
    return [...sent];
  };
  return { machine, exec, sent };
}

const error = (cls: string, desc: string) => [{ error: { class: cls, desc } }];

describe('frontends/qmp: balloon and query-balloon', () => {
  it('answers DeviceNotActive without a balloon', () => {
    const { exec } = session({ items: [] });
    assert.deepEqual(exec('query-balloon'), error('DeviceNotActive', 'No balloon device has been activated'));
    assert.deepEqual(exec('balloon', { value: GiB }), error('DeviceNotActive', 'No balloon device has been activated'));
  });

  it('reports the logical VM size, which a target alone does not change', () => {
    const { exec } = session();
    assert.deepEqual(exec('query-balloon'), [{ return: { actual: GiB } }]);
    assert.deepEqual(exec('balloon', { value: 512 * MiB }), [{ return: {} }]);
    assert.deepEqual(exec('query-balloon'), [{ return: { actual: GiB } }]);
  });

  it('with a Linux guest: the reply first, then the BALLOON_CHANGE events the guest causes', () => {
    const { exec } = session({ guest: true });
    const out = exec('balloon', { value: 768 * MiB });
    const events = out.slice(1) as Array<{ event: string; data: { actual: number }; timestamp: { seconds: number } }>;
    assert.deepEqual(out[0], { return: {} });
    // The first round's change at once; the last one when the one-second throttle ends.
    assert.deepEqual(
      events.map((e) => [e.event, e.data.actual / MiB, e.timestamp.seconds]),
      [
        ['BALLOON_CHANGE', 1023, 0],
        ['BALLOON_CHANGE', 768, 0],
      ],
    );
    assert.deepEqual(exec('query-balloon'), [{ return: { actual: 768 * MiB } }]);
  });

  const ERRORS: ReadonlyArray<readonly [string, Record<string, unknown> | undefined, string]> = [
    ['7.2', { value: 0 }, "Parameter 'target' expects a size"],
    ['7.2', { value: -1 }, "Parameter 'target' expects a size"],
    ['8.2', { value: 0 }, "Parameter 'value' expects a size"],
    ['7.2', { value: 'x' }, "Invalid parameter type for 'value', expected: integer"],
    ['7.2', undefined, "Parameter 'value' is missing"],
    ['7.2', { value: 1, target: 1 }, "Parameter 'target' is unexpected"],
  ];
  for (const [release, args, desc] of ERRORS) {
    it(`${release}: balloon ${JSON.stringify(args)} → ${desc}`, () => {
      const { exec } = session({ release, machine: `pc-q35-${release}` });
      assert.deepEqual(exec('balloon', args), error('GenericError', desc));
    });
  }

  it('reads guest-stats as a struct and checks the polling interval through qom-set', () => {
    const { exec } = session();
    const [reply] = exec('qom-get', { path: '/machine/peripheral/b0', property: 'guest-stats' });
    const stats = (reply as { return: { 'last-update': number; stats: Record<string, number> } }).return;
    assert.equal(stats['last-update'], 0);
    assert.deepEqual(Object.keys(stats.stats).sort(), [
      'stat-available-memory',
      'stat-disk-caches',
      'stat-free-memory',
      'stat-htlb-pgalloc',
      'stat-htlb-pgfail',
      'stat-major-faults',
      'stat-minor-faults',
      'stat-swap-in',
      'stat-swap-out',
      'stat-total-memory',
    ]);
    assert.deepEqual(
      exec('qom-set', { path: '/machine/peripheral/b0', property: 'guest-stats-polling-interval', value: -1 }),
      error('GenericError', 'timer value must be greater than zero'),
    );
  });
});
