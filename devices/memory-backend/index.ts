/**
 * The memory backends as QOM types: memory-backend (abstract), -ram, -file, -memfd and (9.1+)
 * -shm. A backend allocates on completion and is "mapped" once a memory device or the machine
 * uses it, after which it cannot be deleted (host_memory_backend_can_be_deleted).
 */
import { HotmemError } from '../../src/core/errors.js';
import { compareReleases } from '../../src/core/release.js';
import { key } from '../../src/core/keys.js';
import { MEMORY_BACKEND_USE } from '../../src/machine/backend-use.js';
import { implement, type TypeInfo } from '../../src/qom/type-info.js';
import { completeBackend } from './complete.js';
import { MEMORY_BACKEND_FILE_PROPERTIES, MEMORY_BACKEND_MEMFD_PROPERTIES, MEMORY_BACKEND_PROPERTIES } from './properties.js';
import { RAM_BLOCK } from '../../src/machine/ram-block.js';

const MAPPED = key<boolean>('memory-backend mapped');

export const MEMORY_BACKEND_TYPES: readonly TypeInfo[] = [
  {
    name: 'memory-backend',
    parent: 'object',
    abstract: true,
    interfaces: ['user-creatable'],
    postInit: 'compat',
    properties: MEMORY_BACKEND_PROPERTIES,
    implementations: [
      implement(MEMORY_BACKEND_USE, {
        size: (b) => b.get('size') as number,
        isMapped: (b) => b.slots.get(MAPPED) === true,
        setMapped: (b, mapped) => b.slots.set(MAPPED, mapped),
      }),
    ],
    // 11.1.3 refuses a mapped backend in host_memory_backend_prepare_delete's own words (11.0.3's
    // source has no such function); before, user_creatable_can_be_deleted's generic message.
    canBeDeleted: (b) => {
      if (b.slots.get(MAPPED) !== true) return true;
      if (compareReleases(b.model.env.release, { major: 11, minor: 1 }) < 0) return false;
      return { refusal: `Cannot delete host memory backend '${b.id ?? ''}' which is mapped` };
    },
    realize: (b) => {
      b.slots.set(RAM_BLOCK, completeBackend(b));
    },
    unrealize: (b) => {
      const block = b.slots.get(RAM_BLOCK);
      if (block?.mapping) block.mapping.process.unmap(block.mapping);
      b.slots.delete(RAM_BLOCK);
    },
  },
  { name: 'memory-backend-ram', parent: 'memory-backend' },
  { name: 'memory-backend-file', parent: 'memory-backend', properties: MEMORY_BACKEND_FILE_PROPERTIES },
  // Registered only where memfd sealing works (every modelled Linux host).
  { name: 'memory-backend-memfd', parent: 'memory-backend', properties: MEMORY_BACKEND_MEMFD_PROPERTIES, defaultOverrides: { share: true } },
  {
    name: 'memory-backend-shm',
    parent: 'memory-backend',
    since: '9.1',
    defaultOverrides: { share: true },
    realize: (b) => {
      if (b.get('share') !== true) throw new HotmemError('backend.shm-private', "can't create shm backend with `share=off`");
      b.slots.set(RAM_BLOCK, completeBackend(b));
    },
  },
];

export { hasSharedZeropage, RAM_BLOCK, type RamBlock } from '../../src/machine/ram-block.js';
export { fileSystemOf } from './complete.js';
