import assert from 'node:assert/strict';
import { decodeEvent, featureBits, findVirtioMem, statusNames } from './qmp-decode.js';

/** x-query-virtio-status of a virtio-mem-pci with unplugged-inaccessible=off, QEMU 7.2.22. */
const HOST_FEATURES = {
  'unknown-dev-features': 1100585369601,
  'dev-features': [],
  transports: [
    'VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled',
    'VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported',
    'VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)',
    'VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts',
    'VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ',
  ],
};

describe('conformance/guest/qmp-decode', () => {
  it('turns named and unnamed feature bits into bit numbers', () => {
    assert.deepEqual(featureBits(HOST_FEATURES), [0, 24, 27, 28, 29, 30, 32, 40]);
    assert.deepEqual(
      featureBits({ transports: ['VIRTIO_F_VERSION_1: x'], 'dev-features': ['VIRTIO_BALLOON_F_STATS_VQ: Guest memory stats VQ available'] }),
      [1, 32],
    );
    assert.throws(() => featureBits({ transports: ['VIRTIO_F_FROB: ?'] }), /unknown feature name VIRTIO_F_FROB/);
  });

  it('keeps the status names', () => {
    assert.deepEqual(statusNames(['VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found']), ['VIRTIO_CONFIG_S_ACKNOWLEDGE']);
  });

  it('decodes the size events relative to the step start', () => {
    const timestamp = { seconds: 1000, microseconds: 250_000 };
    const data = { size: 536870912, 'qom-path': '/machine/peripheral/vm0', id: 'vm0' };
    assert.deepEqual(decodeEvent({ event: 'MEMORY_DEVICE_SIZE_CHANGE', data, timestamp }, 1_000_000), {
      event: 'MEMORY_DEVICE_SIZE_CHANGE',
      atMs: 250,
      id: 'vm0',
      qomPath: '/machine/peripheral/vm0',
      size: 536870912,
    });
    assert.deepEqual(decodeEvent({ event: 'BALLOON_CHANGE', data: { actual: 5 }, timestamp }, 1_000_250), {
      event: 'BALLOON_CHANGE',
      atMs: 0,
      actual: 5,
    });
    assert.deepEqual(decodeEvent({ event: 'RESET', timestamp }, 1_000_000), { event: 'other', atMs: 250, name: 'RESET' });
  });

  it('finds the virtio-mem device in query-memory-devices', () => {
    const devices = [
      { type: 'dimm', data: { id: 'd0' } },
      { type: 'virtio-mem', data: { id: 'vm0', memaddr: 4294967296, 'block-size': 2097152, 'max-size': 2147483648, size: 0, 'requested-size': 0 } },
    ];
    assert.equal(findVirtioMem(devices, 'vm0').memaddr, 4294967296);
    assert.throws(() => findVirtioMem(devices, 'vm1'), /no virtio-mem 'vm1'/);
  });
});
