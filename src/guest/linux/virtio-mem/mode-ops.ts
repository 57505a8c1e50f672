/**
 * What Sub Block Mode and Big Block Mode need from the rest of the driver: the device requests,
 * Linux memory hotplug with the driver's own bookkeeping around it (virtio_mem_add_memory() and
 * friends), fake-offlining/onlining of page ranges, and the settings that change their choices.
 */
import type { GpaRange } from '../ranges.js';
import type { DeviceRequests } from './device-requests.js';
import type { Rc } from './errno.js';
import type { MemoryBlockState } from './hotplug-core.js';

export interface ModeOps {
  readonly requests: DeviceRequests;
  /** unplug_online module parameter. */
  readonly unplugOnline: boolean;
  /** 5.14+: ZONE_MOVABLE-aware ordering (kernel-version.ts 'zone-aware-sbm'). */
  readonly zoneAware: boolean;
  /** virtio_mem_could_add_memory() (5.11+) or !virtio_mem_too_many_mb_offline() (5.8-5.10). */
  couldAddMemory(size: number): boolean;
  /** virtio_mem_add_memory(): add_memory_driver_managed(), which may online the memory at once. */
  addMemory(range: GpaRange): Rc;
  /** virtio_mem_remove_memory(): remove_memory() of offline memory. */
  removeMemory(range: GpaRange): Rc;
  /** virtio_mem_offline_and_remove_memory(). */
  offlineAndRemoveMemory(range: GpaRange): Rc;
  /** virtio_mem_fake_offline(): alloc_contig_range() the pages and mark them PageOffline. */
  fakeOffline(range: GpaRange): Rc;
  /** virtio_mem_fake_online(): give fake-offline pages back to the buddy. */
  fakeOnline(range: GpaRange): void;
  /** The state of a Linux memory block the driver added (undefined when not added). */
  memoryBlockState(mbId: number): MemoryBlockState | undefined;
  /** dev_warn_ratelimited(..., "memory block onlining denied"). */
  warnOnliningDenied(): void;
}
