import assert from 'node:assert/strict';
import { isHotmemError } from '../../src/core/errors.js';
import * as st from '../../src/virtio/status.js';

describe('virtio/status', () => {
  // Values from virtio 1.1 §2.1 and Linux uapi VIRTIO_CONFIG_S_*.
  const expected: [string, number, keyof typeof st][] = [
    ['ACKNOWLEDGE', 1, 'STATUS_ACKNOWLEDGE'],
    ['DRIVER', 2, 'STATUS_DRIVER'],
    ['DRIVER_OK', 4, 'STATUS_DRIVER_OK'],
    ['FEATURES_OK', 8, 'STATUS_FEATURES_OK'],
    ['DEVICE_NEEDS_RESET', 64, 'STATUS_DEVICE_NEEDS_RESET'],
    ['FAILED', 128, 'STATUS_FAILED'],
  ];
  for (const [name, value, constant] of expected) {
    it(`${name} is ${value}`, () => {
      assert.equal(st[constant], value);
      assert.deepEqual(st.statusNames(st.deviceStatus(value)), [name]);
    });
  }

  it('the bit table is in value order and complete', () => {
    assert.deepEqual(
      st.STATUS_BITS.map((d) => [d.name, d.bit]),
      expected.map(([name, value]) => [name, value]),
    );
  });

  it('names a combined status bit by bit and shows unnamed bits as hex', () => {
    assert.deepEqual(st.statusNames(st.deviceStatus(0x1b)), ['ACKNOWLEDGE', 'DRIVER', 'FEATURES_OK', '0x10']);
    assert.deepEqual(st.statusNames(st.STATUS_RESET), []);
  });

  it('hasStatus needs every bit; withStatus adds bits', () => {
    const s = st.withStatus(st.STATUS_ACKNOWLEDGE, st.STATUS_DRIVER);
    assert.equal(s, 3);
    assert.equal(st.hasStatus(s, st.deviceStatus(3)), true);
    assert.equal(st.hasStatus(s, st.deviceStatus(7)), false);
  });

  for (const bad of [-1, 256, 2.5]) {
    it(`deviceStatus rejects ${bad}`, () => {
      assert.throws(
        () => st.deviceStatus(bad),
        (e) => isHotmemError(e, 'virtio.status-not-a-byte'),
      );
    });
  }
});
