import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCore, readDeviceFeatures, type VirtioState } from '../../src/virtio/device-core.js';
import { FeatureSet, featureBit } from '../../src/virtio/feature-set.js';
import { checkDriverFeatures, negotiate, proposeFeatures } from '../../src/virtio/negotiation.js';
import { deviceStatus, statusNames } from '../../src/virtio/status.js';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_ANY_LAYOUT,
  VIRTIO_F_NOTIFY_ON_EMPTY,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
} from '../../src/virtio/transport-features.js';
import { INSISTED_BIT, modernDevice, testModel, type TestDevice } from './test-device.js';

const RING = FeatureSet.of(VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX);
const names = (s: VirtioState<TestDevice>) => statusNames(s.core.status);

describe('virtio/negotiation', () => {
  describe('checkDriverFeatures', () => {
    const offered = FeatureSet.of(VIRTIO_F_VERSION_1, INSISTED_BIT);
    it('a subset passes', () => {
      assert.deepEqual(checkDriverFeatures(offered, FeatureSet.of(VIRTIO_F_VERSION_1)), { kind: 'subset' });
      assert.deepEqual(checkDriverFeatures(offered, FeatureSet.EMPTY), { kind: 'subset' });
    });
    it('an unoffered bit is named', () => {
      const r = checkDriverFeatures(offered, offered.with(featureBit(7)));
      assert.equal(r.kind, 'unoffered');
      assert.deepEqual(r.extra.bits(), [7]);
    });
  });

  it('proposeFeatures is what both sides have', () => {
    const p = proposeFeatures(FeatureSet.fromWord(0b0110n), FeatureSet.fromWord(0b1100n));
    assert.equal(p.word, 0b0100n);
  });

  it('accepted: the agreed set, FEATURES_OK stuck, after a driver reset', () => {
    const t = negotiate(
      testModel,
      modernDevice(RING),
      {
        supported: RING.with(VIRTIO_F_VERSION_1, INSISTED_BIT, VIRTIO_F_ACCESS_PLATFORM),
        required: FeatureSet.of(VIRTIO_F_VERSION_1),
      },
      'pci',
    );
    assert.equal(t.outcome.kind, 'accepted');
    assert.equal(t.outcome.handshake, 'features-ok');
    assert.deepEqual(t.outcome.features.bits(), [0, 28, 29, 32]);
    assert.deepEqual(names(t.next), ['ACKNOWLEDGE', 'DRIVER', 'FEATURES_OK']);
    assert.deepEqual(t.next.device.resets, ['device']);
    assert.deepEqual(t.effects[0], { kind: 'reset', reset: { kind: 'device', cause: 'driver' } });
  });

  it('refused-by-device: FEATURES_OK reads back clear and the driver sets FAILED', () => {
    const t = negotiate(
      testModel,
      modernDevice(RING),
      {
        supported: RING.with(VIRTIO_F_VERSION_1),
        required: FeatureSet.EMPTY,
      },
      'pci',
    );
    assert.deepEqual(
      { kind: t.outcome.kind, reason: t.outcome.kind === 'refused-by-device' ? t.outcome.reason : '' },
      { kind: 'refused-by-device', reason: 'bit 0 offered but not accepted' },
    );
    if (t.outcome.kind === 'refused-by-device') assert.deepEqual(t.outcome.proposed.bits(), [28, 29, 32]);
    assert.deepEqual(names(t.next), ['ACKNOWLEDGE', 'DRIVER', 'FAILED']);
  });

  it('driver-rejected: required bits missing, FAILED set, nothing written', () => {
    const t = negotiate(
      testModel,
      modernDevice(),
      {
        supported: FeatureSet.of(VIRTIO_F_VERSION_1, INSISTED_BIT, VIRTIO_F_ACCESS_PLATFORM),
        required: FeatureSet.of(VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM),
      },
      'pci',
    );
    assert.equal(t.outcome.kind, 'driver-rejected');
    assert.deepEqual(t.outcome.missing.bits(), [33]);
    assert.deepEqual(names(t.next), ['ACKNOWLEDGE', 'DRIVER', 'FAILED']);
    assert.ok(t.next.core.guestFeatures.isEmpty());
  });

  it('legacy: without VERSION_1 there is no FEATURES_OK step to fail', () => {
    const legacy: VirtioState<TestDevice> = {
      core: createCore(FeatureSet.of(INSISTED_BIT).union(RING)),
      device: { resets: [] },
    };
    const t = negotiate(testModel, legacy, { supported: RING, required: FeatureSet.EMPTY }, 'pci');
    assert.deepEqual(t.outcome.kind === 'accepted' ? [t.outcome.handshake, t.outcome.features.bits()] : t.outcome.kind, ['legacy', [28, 29]]);
    assert.deepEqual(names(t.next), ['ACKNOWLEDGE', 'DRIVER']);
  });

  it('a driver that knows the legacy-only bits is not given them on a modern interface', () => {
    const state = modernDevice(FeatureSet.of(VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT));
    const t = negotiate(
      testModel,
      state,
      {
        supported: FeatureSet.of(VIRTIO_F_VERSION_1, INSISTED_BIT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT),
        required: FeatureSet.EMPTY,
      },
      'pci',
    );
    assert.deepEqual(t.outcome.kind === 'accepted' && t.outcome.features.bits(), [0, 32]);
  });

  it('renegotiating after a refusal starts from a reset and can succeed', () => {
    const refused = negotiate(
      testModel,
      modernDevice(),
      {
        supported: FeatureSet.of(VIRTIO_F_VERSION_1),
        required: FeatureSet.EMPTY,
      },
      'pci',
    ).next;
    const t = negotiate(
      testModel,
      refused,
      {
        supported: FeatureSet.of(VIRTIO_F_VERSION_1, INSISTED_BIT),
        required: FeatureSet.EMPTY,
      },
      'pci',
    );
    assert.equal(t.outcome.kind, 'accepted');
    assert.deepEqual(t.next.device.resets, ['device', 'device']);
  });

  it('for any offer and driver: agreed features are offered and supported, and the outcome matches the status', () => {
    const word = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((w) => FeatureSet.fromWord(w));
    fc.assert(
      fc.property(word, word, word, (host, supported, required) => {
        const state: VirtioState<TestDevice> = { core: createCore(host), device: { resets: [] } };
        const offered = readDeviceFeatures(state.core);
        const t = negotiate(testModel, state, { supported, required }, 'pci');
        const status = t.next.core.status;
        switch (t.outcome.kind) {
          case 'accepted':
            assert.deepEqual(checkDriverFeatures(offered, t.outcome.features), { kind: 'subset' });
            assert.ok(t.outcome.features.isSubsetOf(supported));
            assert.equal((status & 8) !== 0, t.outcome.handshake === 'features-ok');
            assert.equal(status & 0x80, 0);
            break;
          case 'refused-by-device':
            assert.equal(status, deviceStatus(0x83));
            break;
          case 'driver-rejected':
            assert.ok(!t.outcome.missing.isEmpty());
            assert.ok(t.outcome.missing.isSubsetOf(required));
            assert.equal(status, deviceStatus(0x83));
            break;
          default: {
            const _exhaustive: never = t.outcome;
            throw new Error(`unexpected ${String(_exhaustive)}`);
          }
        }
      }),
    );
  });
});
