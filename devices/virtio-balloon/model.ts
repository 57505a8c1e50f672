/**
 * virtio-balloon's hooks into the virtio core (hw/virtio/virtio-balloon.c). There is no
 * validate_features hook. A reset stops free page hinting, gives up the stats buffer
 * (virtqueue_unpop) and clears poison_val; from 10.0 (7c949c53e9) the machine-wide Resettable
 * enter phase also forgets the stats, except on a wakeup from suspend-to-RAM.
 */
import { compareReleases } from '../../src/core/release.js';
import type { SystemResetType } from '../../src/virtio/effects.js';
import type { DeviceStep, VirtioDeviceModel } from '../../src/virtio/device-core.js';
import { resetHinting, type BalloonEffect } from './requests.js';
import { unsetStats, type BalloonState } from './state.js';

function reset(state: BalloonState, hintNegotiated: boolean): DeviceStep<BalloonState, BalloonEffect> {
  const effects = hintNegotiated ? resetHinting(state) : [];
  state.statsElementHeld = false;
  state.poisonVal = 0;
  return { device: state, effects };
}

export function virtioBalloonModel(hintNegotiated: () => boolean): VirtioDeviceModel<BalloonState, BalloonEffect> {
  return {
    name: 'virtio-balloon',
    validateFeatures: () => ({ kind: 'valid' }),
    deviceReset: (state) => reset(state, hintNegotiated()),
    systemReset(state, type: SystemResetType) {
      const step = reset(state, hintNegotiated());
      if (compareReleases(state.setup.release, { major: 10, minor: 0 }) >= 0 && type !== 'wakeup') {
        state.stats = unsetStats(state.setup.release);
        state.statsLastUpdate = 0;
      }
      return step;
    },
  };
}
