/**
 * A replica built from a process's recipe is that process: after any sequence of monitor
 * commands (with the modelled guest reacting to them), both answer every query the same way and
 * have spent the same host memory. Migration between processes stands on this.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { monitor, spec, startLive } from './qemu-process-helpers.js';

const MiB = 2 ** 20;
const ARGV = [
  '-nodefaults',
  '-display',
  'none',
  '-M',
  'pc-q35-7.2',
  '-m',
  '1G,maxmem=8G,slots=2',
  '-object',
  'memory-backend-ram,id=mem0,size=2G',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=256M',
  '-device',
  'virtio-balloon-pci,id=balloon0',
];

const command = fc.oneof(
  fc.integer({ min: 0, max: 16 }).map((n) => ['qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: n * 128 * MiB }] as const),
  fc.integer({ min: 1, max: 8 }).map((n) => ['balloon', { value: n * 128 * MiB }] as const),
  fc.constant(['stop'] as const),
  fc.constant(['cont'] as const),
  fc.constant(['dump-guest-memory', { paging: false, protocol: 'file:/dev/null' }] as const),
  fc.constant(['qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 3 }] as const),
  fc.constant(['migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] }] as const),
);

const QUERIES: ReadonlyArray<readonly [string, Record<string, unknown>?]> = [
  ['query-status'],
  ['query-memory-devices'],
  ['query-balloon'],
  ['x-query-host-memory'],
  ['query-migrate-capabilities'],
  ['qom-get', { path: '/machine/peripheral/vm0', property: 'size' }],
];

describe('cli/qemu-process: replicas', function () {
  this.timeout(120_000);

  it('a replica answers every query as the process it was built from', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 8 }), (commands) => {
        const live = startLive(spec(ARGV, { guest: '6.1' }));
        for (const [name, args] of commands) live.qmp(name, args);
        const replica = monitor(QemuProcess.replay(live.process.recipe()));
        for (const [name, args] of QUERIES) {
          const asked = JSON.stringify(live.qmp(name, args));
          const fromReplica = JSON.stringify(replica.qmp(name, args));
          assert.equal(fromReplica, asked, name);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('without -nodefaults the default VGA and NIC take 01.0 and 02.0: virtio-mem-pci lands at 03.0 (devfn 24, as QEMU 7.2 reads back)', () => {
    const argv = (nodefaults: boolean) => [...(nodefaults ? ['-nodefaults'] : []), ...ARGV.slice(1)];
    const addr = (nodefaults: boolean) => startLive(spec(argv(nodefaults))).qmp('qom-get', { path: '/machine/peripheral/vm0', property: 'addr' });
    assert.deepEqual([addr(true), addr(false)], [{ return: 8 }, { return: 24 }]);
  });
});
