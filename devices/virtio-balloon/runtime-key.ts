import { key } from '../../src/core/keys.js';
import type { VirtioBalloonRuntime } from './runtime.js';

/** Where a realized virtio-balloon-device keeps its running device. */
export const VIRTIO_BALLOON_RUNTIME = key<VirtioBalloonRuntime>('virtio-balloon runtime');
