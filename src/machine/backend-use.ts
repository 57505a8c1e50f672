/**
 * What the machine needs from memory backends without knowing their implementation: their size
 * and whether something already maps them (host_memory_backend_is_mapped / set_mapped), so one
 * backend backs one thing only.
 */
import { key } from '../core/keys.js';
import type { QomObject } from '../qom/object.js';
import { RAM_BLOCK, type RamBlock } from './ram-block.js';

export const MEMORY_BACKEND_TYPE = 'memory-backend';

export interface MemoryBackendUse {
  size(backend: QomObject): number;
  isMapped(backend: QomObject): boolean;
  setMapped(backend: QomObject, mapped: boolean): void;
}

export const MEMORY_BACKEND_USE = key<MemoryBackendUse>('memory-backend use');

/** A device's memdev and the RAMBlock behind it. */
export interface LinkedMemdev {
  readonly backend: QomObject;
  readonly block: RamBlock;
}

/** A device's memdev link and the RAMBlock behind it, once both exist. */
export function linkedMemdev(device: QomObject): LinkedMemdev | undefined {
  const backend = device.model.linkTarget(device, 'memdev');
  const block = backend?.slots.get(RAM_BLOCK);
  return backend && block ? { backend, block } : undefined;
}
