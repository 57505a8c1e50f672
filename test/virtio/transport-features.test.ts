import assert from 'node:assert/strict';
import * as tf from '../../src/virtio/transport-features.js';

// Numbers from the virtio spec's reserved feature bits and Linux uapi virtio_config.h /
// virtio_ring.h; BAD_FEATURE from QEMU include/hw/virtio/virtio.h.
const EXPECTED: [keyof typeof tf, number][] = [
  ['VIRTIO_F_NOTIFY_ON_EMPTY', 24],
  ['VIRTIO_F_ANY_LAYOUT', 27],
  ['VIRTIO_RING_F_INDIRECT_DESC', 28],
  ['VIRTIO_RING_F_EVENT_IDX', 29],
  ['VIRTIO_F_BAD_FEATURE', 30],
  ['VIRTIO_F_VERSION_1', 32],
  ['VIRTIO_F_ACCESS_PLATFORM', 33],
  ['VIRTIO_F_RING_PACKED', 34],
  ['VIRTIO_F_IN_ORDER', 35],
  ['VIRTIO_F_ORDER_PLATFORM', 36],
  ['VIRTIO_F_SR_IOV', 37],
  ['VIRTIO_F_NOTIFICATION_DATA', 38],
  ['VIRTIO_F_NOTIF_CONFIG_DATA', 39],
  ['VIRTIO_F_RING_RESET', 40],
  ['VIRTIO_F_ADMIN_VQ', 41],
];

describe('virtio/transport-features', () => {
  for (const [name, bit] of EXPECTED) {
    it(`${name} is bit ${bit} and is named so`, () => {
      assert.equal(tf[name], bit);
      assert.deepEqual(
        tf.TRANSPORT_FEATURE_NAMES.filter((d) => d.bit === bit).map((d) => d.name),
        [name],
      );
    });
  }

  it('the name table holds exactly these bits, in bit order', () => {
    assert.deepEqual(
      tf.TRANSPORT_FEATURE_NAMES.map((d) => d.bit),
      EXPECTED.map(([, bit]) => bit),
    );
  });
});
