import assert from 'node:assert/strict';
import { notifyConfig } from '../../src/virtio/device-core.js';
import { VirtioDeviceRuntime } from '../../src/virtio/device-runtime.js';
import { handshake } from '../../src/virtio/driver-handshake.js';
import type { VirtioEffect } from '../../src/virtio/effects.js';
import { FeatureSet } from '../../src/virtio/feature-set.js';
import { STATUS_DRIVER_OK } from '../../src/virtio/status.js';
import { VIRTIO_F_VERSION_1 } from '../../src/virtio/transport-features.js';
import { INSISTED_BIT, testModel, type TestDevice, type TestEffect } from './test-device.js';

class TestRuntime extends VirtioDeviceRuntime<TestDevice, TestEffect> {
  protected readonly model = testModel;
  protected readonly transport = 'pci';
  readonly applied: Array<VirtioEffect | TestEffect> = [];

  constructor() {
    super({ resets: [] }, FeatureSet.of(INSISTED_BIT, VIRTIO_F_VERSION_1));
  }

  notify(): void {
    this.applyCoreStep(notifyConfig(this.core));
  }

  protected applyEffects(effects: readonly (VirtioEffect | TestEffect)[]): void {
    this.applied.push(...effects);
    if (effects.some((e) => e.kind === 'config-change')) this.raiseConfigChange();
  }
}

describe('virtio/device-runtime and driver-handshake', () => {
  it('brings a device to DRIVER_OK when the driver accepts what the device insists on', () => {
    const runtime = new TestRuntime();
    assert.equal(handshake(runtime, FeatureSet.of(INSISTED_BIT)), 'ok');
    assert.notEqual(runtime.readStatus() & STATUS_DRIVER_OK, 0);
    assert.ok(runtime.guestFeatures.has(INSISTED_BIT) && runtime.guestFeatures.has(VIRTIO_F_VERSION_1));
  });

  it('stops before DRIVER_OK when the device refuses the feature set', () => {
    const runtime = new TestRuntime();
    assert.equal(handshake(runtime, FeatureSet.EMPTY), 'refused');
    assert.equal(runtime.readStatus() & STATUS_DRIVER_OK, 0);
  });

  it('raises the config interrupt for a notification after DRIVER_OK, and stops after unsubscribe', () => {
    const runtime = new TestRuntime();
    handshake(runtime, FeatureSet.of(INSISTED_BIT));
    let interrupts = 0;
    const unsubscribe = runtime.onConfigChange(() => interrupts++);
    runtime.notify();
    unsubscribe();
    runtime.notify();
    assert.equal(interrupts, 1);
    assert.equal(runtime.applied.filter((e) => e.kind === 'config-change').length, 2);
  });

  it('passes a system reset to the device model and carries out its effects', () => {
    const runtime = new TestRuntime();
    runtime.systemReset('cold');
    assert.deepEqual(runtime.state.resets.at(-1), 'system:cold');
    assert.ok(runtime.applied.some((e) => e.kind === 'test-device' && e.what === 'system-reset:cold'));
  });
});
