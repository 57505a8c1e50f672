/**
 * The part of Linux memory hotplug (mm/memory_hotplug.c, drivers/base/memory.c) the driver relies
 * on: adding and removing driver-managed System RAM in memory-block units, onlining it according
 * to the auto-online policy (memhp_default_state / a udev rule) and calling the driver's memory
 * notifier around onlining and offlining. Offlining migrates the movable pages it can (guest-ram.ts
 * vacate) and fails with -EBUSY while a page of the block is still in use. What adding and onlining make the
 * kernel allocate (memmap, unmovable claims) is kernel-memory.ts's.
 */
import { GuestRam } from '../guest-ram.js';
import type { KernelMemory } from '../kernel-memory.js';
import { gpaRange, type GpaRange } from '../ranges.js';
import type { Rc } from './errno.js';

export type Zone = 'kernel' | 'movable';

/** A Linux memory block's state (/sys/devices/system/memory/memoryN/state and its zone). */
export type MemoryBlockState = { readonly kind: 'offline' } | { readonly kind: 'online'; readonly zone: Zone };

/** memhp_default_state= (and the equivalent udev rules): what happens to memory right after adding it. */
export type OnlinePolicy = 'offline' | 'online' | 'online_kernel' | 'online_movable';

/** The driver's memory notifier and online_page callback, for blocks inside its device. */
export interface MemoryNotifier {
  /** MEM_GOING_ONLINE: false is NOTIFY_BAD. */
  goingOnline(mbId: number): boolean;
  /** MEM_ONLINE, after the online_page callback decided which pages go to the buddy. */
  online(mbId: number, zone: Zone): void;
  /** MEM_OFFLINE, after the pages left the buddy. */
  offline(mbId: number): void;
}

export interface MemoryBlockInfo {
  readonly id: number;
  readonly range: GpaRange;
  readonly state: MemoryBlockState;
}

const OFFLINE: MemoryBlockState = Object.freeze({ kind: 'offline' });

export class MemoryHotplug {
  readonly #blocks = new Map<number, MemoryBlockState>();

  constructor(
    private readonly ram: GuestRam,
    readonly memoryBlockSize: number,
    private readonly policy: OnlinePolicy,
    private readonly notifier: MemoryNotifier,
    private readonly kernel?: KernelMemory,
  ) {}

  /** Online kernel-zone blocks, lowest address first: where the kernel allocates from first. */
  kernelZoneRanges(): GpaRange[] {
    return this.blocks().flatMap((b) => (b.state.kind === 'online' && b.state.zone === 'kernel' ? [b.range] : []));
  }

  blockRange(mbId: number): GpaRange {
    return gpaRange(mbId * this.memoryBlockSize, this.memoryBlockSize);
  }

  /** add_memory_driver_managed() followed by auto-onlining each new memory block in address order. */
  addMemory(range: GpaRange): Rc {
    this.ram.addDriverManaged(range);
    const ids = this.#ids(range);
    for (const id of ids) {
      this.#blocks.set(id, OFFLINE);
      this.kernel?.blockAdded(id, this.blockRange(id));
    }
    const zone = this.#autoZone();
    if (zone !== undefined) for (const id of ids) this.onlineBlock(id, zone);
    return 'ok';
  }

  /** remove_memory(): only offline blocks can be removed. */
  removeMemory(range: GpaRange): Rc {
    const ids = this.#ids(range);
    if (ids.some((id) => this.#blocks.get(id)?.kind === 'online')) return 'EBUSY';
    for (const id of ids) {
      this.#blocks.delete(id);
      this.kernel?.blockRemoved(id);
    }
    this.ram.removeDriverManaged(range);
    return 'ok';
  }

  /** offline_and_remove_memory(): offlines every online block, then removes; all or nothing. */
  offlineAndRemoveMemory(range: GpaRange): Rc {
    const ids = this.#ids(range);
    if (ids.some((id) => this.#blocks.get(id)?.kind === 'online' && !this.ram.vacate(this.blockRange(id)))) return 'EBUSY';
    for (const id of ids) if (this.#blocks.get(id)?.kind === 'online') this.offlineBlock(id);
    return this.removeMemory(range);
  }

  /** online_pages() for one block, as auto-onlining or user space (`echo online > .../state`) does it. */
  onlineBlock(mbId: number, zone: Zone): Rc {
    const state = this.#blocks.get(mbId);
    if (state === undefined || state.kind === 'online') return 'EINVAL';
    if (!this.notifier.goingOnline(mbId)) return 'EBUSY';
    this.#blocks.set(mbId, Object.freeze({ kind: 'online', zone }));
    this.notifier.online(mbId, zone);
    if (zone === 'kernel') this.kernel?.kernelBlockOnline(this.blockRange(mbId));
    return 'ok';
  }

  /** offline_pages() for one block: movable pages are migrated away, others keep it online. */
  offlineBlock(mbId: number): Rc {
    const state = this.#blocks.get(mbId);
    if (state === undefined || state.kind === 'offline') return 'EINVAL';
    const range = this.blockRange(mbId);
    if (!this.ram.vacate(range)) return 'EBUSY';
    this.ram.takeFromBuddy(range);
    this.#blocks.set(mbId, OFFLINE);
    this.notifier.offline(mbId);
    return 'ok';
  }

  state(mbId: number): MemoryBlockState | undefined {
    return this.#blocks.get(mbId);
  }

  blocks(): MemoryBlockInfo[] {
    return [...this.#blocks.entries()].sort(([a], [b]) => a - b).map(([id, state]) => Object.freeze({ id, range: this.blockRange(id), state }));
  }

  #ids(range: GpaRange): number[] {
    const first = Math.floor(range.start / this.memoryBlockSize);
    const count = Math.ceil(range.length / this.memoryBlockSize);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  #autoZone(): Zone | undefined {
    switch (this.policy) {
      case 'offline':
        return undefined;
      case 'online':
      case 'online_kernel':
        return 'kernel';
      case 'online_movable':
        return 'movable';
      default: {
        const _exhaustive: never = this.policy;
        return _exhaustive;
      }
    }
  }
}
