import assert from 'node:assert/strict';
import sinon from 'sinon';
import {
  createCore,
  deviceReset,
  loadedCore,
  notifyConfig,
  processesQueues,
  readDeviceFeatures,
  systemReset,
  virtioError,
  writeDriverFeatures,
  writeStatus,
  type VirtioCore,
  type VirtioState,
  type VirtioTransportKind,
} from '../../src/virtio/device-core.js';
import { FeatureSet, featureBit } from '../../src/virtio/feature-set.js';
import { deviceStatus, type DeviceStatus } from '../../src/virtio/status.js';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_ANY_LAYOUT,
  VIRTIO_F_BAD_FEATURE,
  VIRTIO_F_NOTIFY_ON_EMPTY,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
} from '../../src/virtio/transport-features.js';
import { INSISTED_BIT, modernDevice, testModel, type TestDevice } from './test-device.js';

const S = deviceStatus;
const ACK_DRIVER = S(3);
const FEATURES_OK = S(11);
const DRIVER_OK = S(15);

/** Drives a device to a status through stored writes, after acking `features`. */
function at(status: DeviceStatus, features: FeatureSet, state = modernDevice()): VirtioState<TestDevice> {
  const acked = writeStatus(testModel, state, ACK_DRIVER).next;
  const written = writeDriverFeatures(testModel, acked, features, 'pci').next;
  const t = writeStatus(testModel, written, status);
  assert.equal(t.outcome.kind, 'stored');
  return t.next;
}

const ALL = FeatureSet.of(VIRTIO_F_VERSION_1, INSISTED_BIT);

describe('virtio/device-core', () => {
  it('a new core is reset, unbroken, at generation 0, with nothing acked', () => {
    const core = createCore(ALL);
    assert.deepEqual(
      { status: core.status, broken: core.broken, generation: core.generation, guest: core.guestFeatures.word },
      { status: 0, broken: false, generation: 0, guest: 0n },
    );
  });

  describe('writeStatus (virtio_set_status + the transport status write)', () => {
    const cases: {
      name: string;
      from: VirtioState<TestDevice>;
      write: number;
      outcome: string;
      status: number;
    }[] = [
      { name: 'ACKNOWLEDGE from reset', from: modernDevice(), write: 1, outcome: 'stored', status: 1 },
      { name: 'ACKNOWLEDGE|DRIVER', from: at(S(1), FeatureSet.EMPTY), write: 3, outcome: 'stored', status: 3 },
      {
        name: 'FEATURES_OK with the insisted bit acked',
        from: at(ACK_DRIVER, ALL),
        write: 11,
        outcome: 'stored',
        status: 11,
      },
      {
        name: 'FEATURES_OK without the insisted bit: refused, old status kept',
        from: at(ACK_DRIVER, FeatureSet.of(VIRTIO_F_VERSION_1)),
        write: 11,
        outcome: 'features-refused',
        status: 3,
      },
      {
        name: 'FEATURES_OK from a legacy driver (no VERSION_1): not validated',
        from: at(ACK_DRIVER, FeatureSet.EMPTY),
        write: 11,
        outcome: 'stored',
        status: 11,
      },
      { name: 'DRIVER_OK after FEATURES_OK', from: at(FEATURES_OK, ALL), write: 15, outcome: 'stored', status: 15 },
      { name: 'FAILED is stored like any bit', from: at(ACK_DRIVER, ALL), write: 0x83, outcome: 'stored', status: 0x83 },
      {
        name: 'clearing bits is not prevented (QEMU stores the byte)',
        from: at(DRIVER_OK, ALL),
        write: 1,
        outcome: 'stored',
        status: 1,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const t = writeStatus(testModel, c.from, S(c.write));
        assert.equal(t.outcome.kind, c.outcome);
        assert.equal(t.next.core.status, c.status);
        assert.deepEqual(t.effects, []);
      });
    }

    it('a refusal carries the device reason and leaves the device state alone', () => {
      const from = at(ACK_DRIVER, FeatureSet.of(VIRTIO_F_VERSION_1));
      const t = writeStatus(testModel, from, FEATURES_OK);
      assert.deepEqual(t.outcome, { kind: 'features-refused', reason: 'bit 0 offered but not accepted' });
      assert.deepEqual(t.next, from);
    });

    it('validates only the first FEATURES_OK write', () => {
      const validate = sinon.spy(testModel, 'validateFeatures');
      try {
        const ok = at(FEATURES_OK, ALL);
        assert.equal(validate.callCount, 1);
        writeStatus(testModel, ok, DRIVER_OK);
        assert.equal(validate.callCount, 1);
      } finally {
        validate.restore();
      }
    });

    it('ACCESS_PLATFORM offered but not acked is refused before the device is asked', () => {
      const validate = sinon.spy(testModel, 'validateFeatures');
      try {
        const from = at(ACK_DRIVER, ALL, modernDevice(FeatureSet.of(VIRTIO_F_ACCESS_PLATFORM)));
        const t = writeStatus(testModel, from, FEATURES_OK);
        assert.deepEqual(t.outcome, {
          kind: 'features-refused',
          reason: 'VIRTIO_F_ACCESS_PLATFORM offered but not accepted',
        });
        assert.equal(validate.callCount, 0);
        const platform = modernDevice(FeatureSet.of(VIRTIO_F_ACCESS_PLATFORM));
        const acked = at(FEATURES_OK, ALL.with(VIRTIO_F_ACCESS_PLATFORM), platform);
        assert.equal(acked.core.status, 11);
      } finally {
        validate.restore();
      }
    });

    it('writing 0 is a device reset caused by the driver', () => {
      const broken = { ...at(DRIVER_OK, ALL), core: { ...at(DRIVER_OK, ALL).core, broken: true, generation: 7 } };
      const t = writeStatus(testModel, broken, S(0));
      assert.deepEqual(t.outcome, { kind: 'stored', status: 0 });
      assert.deepEqual(t.effects, [
        { kind: 'reset', reset: { kind: 'device', cause: 'driver' } },
        { kind: 'test-device', what: 'device-reset' },
      ]);
      assert.deepEqual(t.next.device.resets, ['device']);
      assert.equal(t.next.core.status, 0);
      assert.equal(t.next.core.broken, false);
      assert.ok(t.next.core.guestFeatures.isEmpty());
      assert.equal(t.next.core.generation, 7, 'the generation survives a reset');
      assert.ok(t.next.core.hostFeatures.equals(broken.core.hostFeatures));
    });

    it('a refused FEATURES_OK while the status is 0 still resets (the transport checks the stored status)', () => {
      const zero = writeDriverFeatures(testModel, modernDevice(), FeatureSet.of(VIRTIO_F_VERSION_1), 'pci').next;
      const t = writeStatus(testModel, zero, S(8));
      assert.equal(t.outcome.kind, 'features-refused');
      assert.deepEqual(t.next.device.resets, ['device']);
    });
  });

  describe('writeDriverFeatures (virtio_set_features)', () => {
    it('stores the write masked to the host features and reports what the mask dropped', () => {
      const t = writeDriverFeatures(testModel, modernDevice(), ALL.with(VIRTIO_RING_F_EVENT_IDX, featureBit(5)), 'pci');
      assert.deepEqual(t.outcome.kind, 'stored');
      assert.ok(t.next.core.guestFeatures.equals(ALL));
      assert.deepEqual(t.outcome.unoffered.bits(), [5, 29]);
    });

    it('a later write replaces an earlier one', () => {
      const first = writeDriverFeatures(testModel, modernDevice(), ALL, 'pci').next;
      const second = writeDriverFeatures(testModel, first, FeatureSet.of(VIRTIO_F_VERSION_1), 'pci').next;
      assert.deepEqual(second.core.guestFeatures.bits(), [32]);
    });

    it('is ignored once FEATURES_OK is set', () => {
      const ok = at(FEATURES_OK, ALL);
      const t = writeDriverFeatures(testModel, ok, FeatureSet.of(VIRTIO_F_VERSION_1), 'pci');
      assert.deepEqual(t.outcome, { kind: 'ignored-after-features-ok' });
      assert.ok(t.next.core.guestFeatures.equals(ALL));
    });

    it('acking BAD_FEATURE logs a guest error (and is stored: every virtio-pci device offers it)', () => {
      const host = modernDevice(FeatureSet.of(VIRTIO_F_BAD_FEATURE));
      const t = writeDriverFeatures(testModel, host, FeatureSet.of(VIRTIO_F_BAD_FEATURE), 'pci');
      assert.deepEqual(t.effects, [
        {
          kind: 'guest-error-log',
          message: 'virtio_set_features: guest driver for test-dev has enabled UNUSED(30) feature bit!',
        },
      ]);
      assert.ok(t.next.core.guestFeatures.has(VIRTIO_F_BAD_FEATURE));
    });
  });

  it('readDeviceFeatures hides the legacy-only bits from a modern driver', () => {
    const core = createCore(ALL.with(VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT, VIRTIO_F_BAD_FEATURE));
    assert.deepEqual(readDeviceFeatures(core).bits(), [0, 32]);
  });

  describe('notifyConfig (virtio_notify_config)', () => {
    it('before DRIVER_OK: no interrupt and no new generation', () => {
      const core = at(FEATURES_OK, ALL).core;
      assert.deepEqual(notifyConfig(core), { core, effects: [] });
    });
    it('after DRIVER_OK: a config-change effect with the bumped generation', () => {
      const core = at(DRIVER_OK, ALL).core;
      const step = notifyConfig(core);
      assert.equal(step.core.generation, 1);
      assert.deepEqual(step.effects, [{ kind: 'config-change', generation: 1 }]);
    });
    it('the generation wraps as a u32', () => {
      const core: VirtioCore = { ...at(DRIVER_OK, ALL).core, generation: 0xffff_ffff };
      assert.equal(notifyConfig(core).core.generation, 0);
    });
  });

  describe('virtioError (virtio_error)', () => {
    const message = 'virtio-mem protocol violation: unknown request type: 7';
    it('with a running VERSION_1 driver: broken, DEVICE_NEEDS_RESET, message, config change', () => {
      const step = virtioError(at(DRIVER_OK, ALL).core, message);
      assert.equal(step.core.broken, true);
      assert.equal(step.core.status, 15 | 64);
      assert.deepEqual(step.effects, [
        { kind: 'error-report', message },
        { kind: 'config-change', generation: 1 },
      ]);
      assert.equal(processesQueues(step.core), false);
    });
    it('with VERSION_1 before DRIVER_OK: DEVICE_NEEDS_RESET but no notification', () => {
      const step = virtioError(at(FEATURES_OK, ALL).core, message);
      assert.equal(step.core.status, 11 | 64);
      assert.deepEqual(step.effects, [{ kind: 'error-report', message }]);
    });
    it('with a legacy driver: broken only', () => {
      const step = virtioError(at(S(7), FeatureSet.of(INSISTED_BIT)).core, message);
      assert.equal(step.core.broken, true);
      assert.equal(step.core.status, 7);
      assert.deepEqual(step.effects, [{ kind: 'error-report', message }]);
    });
    it('a reset clears broken and DEVICE_NEEDS_RESET', () => {
      const broken = at(DRIVER_OK, ALL);
      const flagged = { ...broken, core: virtioError(broken.core, message).core };
      const reset = writeStatus(testModel, flagged, S(0)).next;
      assert.equal(processesQueues(reset.core), true);
      assert.equal(reset.core.status, 0);
    });
  });

  describe('device reset versus system reset', () => {
    it('a bus reset dispatches the device hook and records the cause', () => {
      const t = deviceReset(testModel, at(DRIVER_OK, ALL), 'bus');
      assert.deepEqual(t.outcome, { kind: 'device', cause: 'bus' });
      assert.deepEqual(t.next.device.resets, ['device']);
      assert.equal(t.next.core.status, 0);
    });

    for (const type of ['cold', 'snapshot-load', 'wakeup'] as const) {
      it(`a ${type} system reset dispatches only the system hook, with its type`, () => {
        const t = systemReset(testModel, at(DRIVER_OK, ALL), type);
        assert.deepEqual(t.outcome, { kind: 'system', type });
        assert.deepEqual(t.next.device.resets, [`system:${type}`]);
        assert.deepEqual(t.effects, [
          { kind: 'reset', reset: { kind: 'system', type } },
          { kind: 'test-device', what: `system-reset:${type}` },
        ]);
        assert.equal(t.next.core.status, 0);
        assert.ok(t.next.core.guestFeatures.isEmpty());
      });
    }
  });

  describe('start_on_kick (virtio_set_features, virtio_set_started, virtio_reset, virtio_load)', () => {
    /** Negotiates `features` through `transport` and ends at `status`; a refused FEATURES_OK stays unstored. */
    function negotiated(transport: VirtioTransportKind, features: FeatureSet, status: DeviceStatus, state = modernDevice()): VirtioState<TestDevice> {
      const acked = writeStatus(testModel, state, ACK_DRIVER).next;
      const written = writeDriverFeatures(testModel, acked, features, transport).next;
      return writeStatus(testModel, written, status).next;
    }
    const reset = (state: VirtioState<TestDevice>) => deviceReset(testModel, state, 'driver').next;
    const CASES: ReadonlyArray<readonly [string, () => VirtioState<TestDevice>, boolean]> = [
      ['a fresh device: the low feature word, written first, lacks VERSION_1', () => negotiated('pci', ALL, ACK_DRIVER), true],
      ['DRIVER_OK starts the device and clears it', () => negotiated('pci', ALL, DRIVER_OK), false],
      [
        'a device that refused the features never reaches DRIVER_OK and keeps it',
        () => negotiated('pci', FeatureSet.of(VIRTIO_F_VERSION_1), FEATURES_OK),
        true,
      ],
      ['a reset clears it', () => reset(negotiated('pci', FeatureSet.of(VIRTIO_F_VERSION_1), FEATURES_OK)), false],
      [
        'virtio-pci: after a reset the proxy still holds VERSION_1 in its high word, so the next negotiation leaves it clear',
        () => negotiated('pci', FeatureSet.of(VIRTIO_F_VERSION_1), FEATURES_OK, reset(negotiated('pci', ALL, DRIVER_OK))),
        false,
      ],
      [
        'virtio-ccw: a reset clears the acked high word too, so the next negotiation sets it again',
        () => negotiated('ccw', FeatureSet.of(VIRTIO_F_VERSION_1), FEATURES_OK, reset(negotiated('ccw', ALL, DRIVER_OK))),
        true,
      ],
      ['a write with a bit the device does not offer fails and leaves it clear', () => negotiated('pci', ALL.with(featureBit(5)), ACK_DRIVER), false],
      [
        'virtio_load: a loaded device that is not started and acked VERSION_1 has it clear',
        () => ({ ...at(ACK_DRIVER, ALL), core: loadedCore(negotiated('pci', ALL, ACK_DRIVER).core) }),
        false,
      ],
      [
        'virtio_load: a legacy driver not started yet has it set',
        () => ({ ...at(ACK_DRIVER, ALL), core: loadedCore(at(ACK_DRIVER, FeatureSet.of(INSISTED_BIT)).core) }),
        true,
      ],
    ];
    for (const [name, state, startOnKick] of CASES) it(name, () => assert.equal(state().core.startOnKick, startOnKick));
  });
});
