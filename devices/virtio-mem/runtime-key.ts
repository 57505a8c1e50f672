import { key } from '../../src/core/keys.js';
import type { VirtioMemRuntime } from './runtime.js';

/** Where a realized virtio-mem object keeps its running device. */
export const VIRTIO_MEM_RUNTIME = key<VirtioMemRuntime>('virtio-mem runtime');
