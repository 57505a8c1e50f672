/**
 * virtio-mem's hooks into the virtio core: feature validation at FEATURES_OK (7.0+), and what
 * resets do to plugged memory by release (hw/virtio/virtio-mem.c, qemu.md §1.13).
 */
import { compareReleases } from '../../src/core/release.js';
import type { VirtioDeviceModel } from '../../src/virtio/device-core.js';
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from './features.js';
import { unplugAll, type RequestContext, type VirtioMemEffect } from './requests.js';
import type { VirtioMemState } from './state.js';

export function virtioMemModel(context: () => RequestContext): VirtioDeviceModel<VirtioMemState, VirtioMemEffect> {
  return {
    name: 'virtio-mem',
    validateFeatures(state, { host, guest }) {
      // virtio_mem_validate_features (7.0+): a device that offers the feature requires it.
      const since70 = compareReleases(state.setup.release, { major: 7, minor: 0 }) >= 0;
      if (since70 && host.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) && !guest.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)) {
        return { kind: 'invalid', reason: 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE offered but not accepted' };
      }
      return { kind: 'valid' };
    },
    // A virtio reset by the driver leaves plugged memory alone in every release.
    deviceReset: (state) => ({ device: state, effects: [] }),
    systemReset(state, type) {
      // 9.2 stopped unplugging on a wakeup from suspend-to-RAM (RESET_TYPE_WAKEUP).
      const skipsWakeup = compareReleases(state.setup.release, { major: 9, minor: 2 }) >= 0;
      if (type === 'wakeup' && skipsWakeup) return { device: state, effects: [] };
      // During a migration unplug_all is BUSY and memory stays plugged; the guest must UNPLUG_ALL.
      const { effects } = unplugAll(state, context());
      return { device: state, effects };
    },
  };
}
