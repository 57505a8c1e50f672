/**
 * The status and feature sequence a Linux virtio driver runs at probe (virtio_dev_probe): reset,
 * ACKNOWLEDGE, DRIVER, the driver's features, FEATURES_OK read back (the device may refuse the
 * set), DRIVER_OK. For callers that need a device running without modelling its driver.
 */
import type { VirtioDriverPort } from './driver-port.js';
import type { FeatureSet } from './feature-set.js';
import { deviceStatus, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK } from './status.js';
import { VIRTIO_F_VERSION_1 } from './transport-features.js';

/** The transport registers the handshake touches. */
export type StatusAndFeatures = Pick<VirtioDriverPort, 'readStatus' | 'writeStatus' | 'readDeviceFeatures' | 'writeDriverFeatures'>;

/** Accepts the offered device bits that are in `accept` (VERSION_1 always); 'refused' leaves DRIVER_OK unset. */
export function handshake(port: StatusAndFeatures, accept: FeatureSet): 'ok' | 'refused' {
  port.writeStatus(deviceStatus(0));
  port.writeStatus(STATUS_ACKNOWLEDGE);
  port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER));
  port.writeDriverFeatures(port.readDeviceFeatures().intersection(accept.with(VIRTIO_F_VERSION_1)));
  port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK));
  if ((port.readStatus() & STATUS_FEATURES_OK) === 0) return 'refused';
  port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK));
  return 'ok';
}
