/**
 * A virtio device as a guest driver sees it through its transport: the status register, the
 * feature words, the config space, its virtqueues and the config-change interrupt. The device
 * runtime implements it over the pure device model; driver models only ever use this.
 */
import type { FeatureSet } from './feature-set.js';
import type { DeviceStatus } from './status.js';
import type { ElementCompletion, VirtqueueElement } from './virtqueue.js';

export interface VirtioDriverPort {
  /** The virtio device ID (24 virtio-mem, 5 balloon). */
  readonly deviceId: number;
  readStatus(): DeviceStatus;
  writeStatus(status: DeviceStatus): void;
  /** What the device offers a modern driver (legacy-only bits hidden). */
  readDeviceFeatures(): FeatureSet;
  writeDriverFeatures(features: FeatureSet): void;
  /** The device-specific config space, little endian, as the driver reads it now. */
  readConfig(): Uint8Array;
  /**
   * Adds one element to virtqueue `queue` and notifies; the device handles it at once (QEMU
   * handles a notification synchronously in its vCPU thread's exit) and the completion says
   * whether it was used or detached.
   */
  submit(queue: number, element: VirtqueueElement): ElementCompletion;
  /**
   * find_vqs sets up virtqueue `index` (after FEATURES_OK). virtio-pci selects it through its
   * queue-select register first, which QEMU keeps as queue_sel; virtio-ccw names the queue in
   * its channel command instead.
   */
  setUpQueue(index: number): void;
  /** The config-change interrupt. Returns an unsubscribe function. */
  onConfigChange(listener: () => void): () => void;
}
