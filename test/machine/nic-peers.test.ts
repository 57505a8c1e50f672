/**
 * net_check_clients' warnings (src/machine/nic-peers.ts): NICs named by id or model.N in
 * creation order; test/conformance/device-buses.test.ts compares them with the four binaries.
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, type StartupItem } from '../../src/machine/index.js';

const nic = (driver: string, id?: string): StartupItem => ({ kind: 'device', driver, ...(id === undefined ? {} : { id }), props: [] });

function warningsOf(items: readonly StartupItem[], defaultNic: boolean): string[] {
  const binary = qemuBinary(new Map([['qemu-version', '10.0']]));
  const started = Machine.start(
    { release: '10.0', arch: 'x86_64', machine: 'pc', items, ...(defaultNic ? { defaultDevices: { nic: true } } : {}) },
    binary.environment,
  );
  return started.warnings.map((w) => w.message);
}

describe('machine/nic-peers', () => {
  it('names each NIC by its id or its model numbered among its model, in creation order', () =>
    assert.deepEqual(warningsOf([nic('e1000'), nic('e1000', 'n1'), nic('virtio-net-pci'), nic('e1000'), nic('i6300esb')], false), [
      'nic e1000.0 has no peer',
      'nic n1 has no peer',
      'nic virtio-net-pci.0 has no peer',
      'nic e1000.2 has no peer',
    ]));

  it('checks nothing where QEMU made its default network', () => assert.deepEqual(warningsOf([nic('e1000')], true), []));
});
