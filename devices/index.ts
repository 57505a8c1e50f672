/** Every device, backend and object type hotmem models, registered into each modelled QEMU binary. */
import type { TypeInfo } from '../src/qom/type-info.js';
import { VIRTIO_BASE_TYPES } from '../src/virtio/qom-types.js';
import { MEMORY_BACKEND_TYPES } from './memory-backend/index.js';
import { MONITOR_TYPES } from './monitor/index.js';
import { NVDIMM_TYPES } from './nvdimm/index.js';
import { PC_DIMM_TYPES } from './pc-dimm/index.js';
import { SECRET_TYPES } from './secret/index.js';
import { THREAD_CONTEXT_TYPES } from './thread-context/index.js';
import { IOTHREAD_TYPES, VIRTIO_BALLOON_TYPES } from './virtio-balloon/index.js';
import { VIRTIO_MEM_TYPES } from './virtio-mem/index.js';
import { VIRTIO_PMEM_TYPES } from './virtio-pmem/index.js';

export const DEVICE_TYPES: readonly TypeInfo[] = [
  ...MEMORY_BACKEND_TYPES,
  ...IOTHREAD_TYPES,
  ...VIRTIO_BASE_TYPES,
  ...VIRTIO_MEM_TYPES,
  ...VIRTIO_BALLOON_TYPES,
  ...PC_DIMM_TYPES,
  ...NVDIMM_TYPES,
  ...VIRTIO_PMEM_TYPES,
  ...SECRET_TYPES,
  ...THREAD_CONTEXT_TYPES,
  ...MONITOR_TYPES,
];
