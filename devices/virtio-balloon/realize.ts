/**
 * virtio_balloon_device_realize, check by check in QEMU's order (unchanged 5.1-10.2): one balloon
 * per machine (qemu_add_balloon_handler refuses a second), then free-page-hint needs an iothread.
 * The result fixes the offered features, the config size and the queues.
 */
import type { Arch } from '../../src/core/arch.js';
import { defineErrors } from '../../src/core/errors.js';
import type { Release } from '../../src/core/release.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { balloonConfigSize } from './config.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_STATS_VQ } from './features.js';
import { balloonQueues } from './queues.js';
import type { BalloonSetup } from './state.js';

export const virtioBalloonErrors = defineErrors({
  'virtio-balloon.only-one': () => 'Only one balloon device is supported',
  'virtio-balloon.free-page-hint-iothread': () => "'free-page-hint' requires 'iothread' to be set",
  'virtio-balloon.timer-negative': () => 'timer value must be greater than zero',
  'virtio-balloon.timer-too-big': () => 'timer value is too big',
  // warn_report_once in balloon_inflate_page
  'virtio-balloon.warn-hugepage': () => 'Balloon used with backing page size > 4kiB, this may not be reliable',
});

export interface BalloonRealizeInput {
  readonly release: Release;
  readonly target: Arch;
  /** Another realized balloon already registered the machine's balloon handler. */
  readonly handlerTaken: boolean;
  /** The bits the feature properties switched on (host_features). */
  readonly propertyFeatures: FeatureSet;
  readonly iothreadSet: boolean;
  readonly qemu40ConfigSize: boolean;
}

export function realizeBalloon(input: BalloonRealizeInput): BalloonSetup {
  if (input.handlerTaken) throw virtioBalloonErrors.error('virtio-balloon.only-one');
  if (input.propertyFeatures.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT) && !input.iothreadSet) {
    throw virtioBalloonErrors.error('virtio-balloon.free-page-hint-iothread');
  }
  return {
    release: input.release,
    target: input.target,
    // virtio_balloon_get_features adds STATS_VQ to whatever the properties chose.
    deviceFeatures: input.propertyFeatures.with(VIRTIO_BALLOON_F_STATS_VQ),
    // virtio_init sizes the config before get_features runs, from host_features alone.
    configSize: balloonConfigSize(input.propertyFeatures, input.qemu40ConfigSize),
    queues: balloonQueues(input.propertyFeatures),
  };
}
