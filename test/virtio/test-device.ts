/**
 * A minimal device model for exercising the core: it insists on bit 0 being acked when offered
 * (the shape of virtio-mem's UNPLUGGED_INACCESSIBLE rule) and records which resets reached it.
 */
import { createCore, type VirtioDeviceModel, type VirtioState } from '../../src/virtio/device-core.js';
import { featureBit, FeatureSet } from '../../src/virtio/feature-set.js';
import { VIRTIO_F_VERSION_1 } from '../../src/virtio/transport-features.js';

/** The test device's state: the resets it has seen, in order. */
export interface TestDevice {
  readonly resets: readonly string[];
}

/** The test device's own effect. */
export interface TestEffect {
  readonly kind: 'test-device';
  readonly what: string;
}

export const INSISTED_BIT = featureBit(0);

export const testModel: VirtioDeviceModel<TestDevice, TestEffect> = {
  name: 'test-dev',
  validateFeatures: (_device, f) =>
    f.host.has(INSISTED_BIT) && !f.guest.has(INSISTED_BIT) ? { kind: 'invalid', reason: 'bit 0 offered but not accepted' } : { kind: 'valid' },
  deviceReset: (d) => ({
    device: { resets: [...d.resets, 'device'] },
    effects: [{ kind: 'test-device', what: 'device-reset' }],
  }),
  systemReset: (d, type) => ({
    device: { resets: [...d.resets, `system:${type}`] },
    effects: [{ kind: 'test-device', what: `system-reset:${type}` }],
  }),
};

/** A modern device offering VERSION_1, the insisted bit and whatever else is given. */
export function modernDevice(extra: FeatureSet = FeatureSet.EMPTY): VirtioState<TestDevice> {
  return { core: createCore(extra.with(VIRTIO_F_VERSION_1, INSISTED_BIT)), device: { resets: [] } };
}
