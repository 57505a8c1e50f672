/**
 * Who may discard guest RAM, as QEMU coordinates it (system/physmem.c, 5.1+; qemu.md §4). Devices
 * that need discards to work (virtio-mem) and devices that pin or share guest memory and so
 * cannot tolerate them (VFIO, vhost-vdpa, SEV, s390 protected virtualization, COLO) take counters
 * at realize; whichever comes second is refused with -EBUSY and reports it in its own words. The
 * balloon takes nothing: it only asks, on every request, whether discards are disabled, and then
 * silently stops freeing memory.
 *
 * 6.1 (7e6d32ebf7, bc072ed403, 53d1b5fcfb) split each side in two: virtio-mem requires only
 * *coordinated* discards, and VFIO type1 disables only *uncoordinated* ones, because it maps
 * virtio-mem memory through the RamDiscardManager; so virtio-mem and VFIO type1 work together
 * from 6.1 and refuse each other in 5.1-6.0.
 */
import { compareReleases, type Release } from '../core/release.js';
import { key } from '../core/keys.js';
import { strerror } from '../host/errno.js';
import type { ObjectModel } from '../qom/object-model.js';
import type { QomObject } from '../qom/object.js';
import type { RamBlock } from './ram-block.js';

/** The four calls of system/physmem.c, each with a `state` to take (true) or give back (false). */
export type DiscardCall = 'disable' | 'uncoordinated-disable' | 'require' | 'coordinated-require';

/** What a call answered: 0, or -EBUSY when the other side holds a conflicting counter. */
export type DiscardAnswer = 'ok' | 'EBUSY';

/** The counters of one QEMU process. */
export class RamDiscardCoordination {
  #required = 0;
  #coordinatedRequired = 0;
  #disabled = 0;
  #uncoordinatedDisabled = 0;

  /** ram_block_discard_disable, ram_block_uncoordinated_discard_disable, ..._require, ..._coordinated_require. */
  call(call: DiscardCall, state: boolean): DiscardAnswer {
    switch (call) {
      case 'disable':
        if (!state) this.#disabled--;
        else if (this.#required || this.#coordinatedRequired) return 'EBUSY';
        else this.#disabled++;
        return 'ok';
      case 'uncoordinated-disable':
        if (!state) this.#uncoordinatedDisabled--;
        else if (this.#required) return 'EBUSY';
        else this.#uncoordinatedDisabled++;
        return 'ok';
      case 'require':
        if (!state) this.#required--;
        else if (this.#disabled || this.#uncoordinatedDisabled) return 'EBUSY';
        else this.#required++;
        return 'ok';
      case 'coordinated-require':
        if (!state) this.#coordinatedRequired--;
        else if (this.#disabled) return 'EBUSY';
        else this.#coordinatedRequired++;
        return 'ok';
      default: {
        const exhaustive: never = call;
        return exhaustive;
      }
    }
  }

  /** ram_block_discard_is_disabled: what virtio-balloon checks. */
  isDisabled(): boolean {
    return this.#disabled > 0 || this.#uncoordinatedDisabled > 0;
  }

  /** ram_block_discard_is_required. */
  isRequired(): boolean {
    return this.#required > 0 || this.#coordinatedRequired > 0;
  }
}

const COORDINATION = key<RamDiscardCoordination>('ram discard coordination');

/** The process's counters, created with the first user (they are static variables in QEMU). */
export function ramDiscardCoordination(model: ObjectModel): RamDiscardCoordination {
  let found = model.services.get(COORDINATION);
  if (!found) {
    found = new RamDiscardCoordination();
    model.services.set(COORDINATION, found);
  }
  return found;
}

/** The components that take a counter, and how each words a refusal. */
export type DiscardUser = 'virtio-mem' | 'vfio-type1' | 'vfio-iommufd' | 'vfio-spapr' | 'vhost-vdpa' | 'sev' | 's390-pv' | 'colo';

interface UserRule {
  /** The call the component makes, by release. */
  call(r: Release): DiscardCall;
  /**
   * The message it reports when refused. VFIO's is the container's error, which the device
   * prefixes with its name and group (devices/vfio-pci/realize.ts).
   */
  readonly refusal: string;
  readonly since?: Release;
}

const since61 = (r: Release): boolean => compareReleases(r, { major: 6, minor: 1 }) >= 0;
const busy = strerror('EBUSY');

const USERS: Readonly<Record<DiscardUser, UserRule>> = {
  // virtio_mem_device_realize, after the block-size checks.
  'virtio-mem': { call: (r) => (since61(r) ? 'coordinated-require' : 'require'), refusal: 'Discarding RAM is disabled' },
  // vfio_ram_block_discard_disable, when a group connects to its container.
  'vfio-type1': { call: (r) => (since61(r) ? 'uncoordinated-disable' : 'disable'), refusal: `Cannot set discarding of RAM broken: ${busy}` },
  // The iommufd backend (hw/vfio/iommufd.c, 8.2+) coordinates like type1.
  'vfio-iommufd': { call: () => 'uncoordinated-disable', refusal: `Cannot set discarding of RAM broken: ${busy}`, since: { major: 8, minor: 2 } },
  // sPAPR TCE IOMMUs pin and are untested with the RamDiscardManager: every discard is disabled.
  'vfio-spapr': { call: () => 'disable', refusal: `Cannot set discarding of RAM broken: ${busy}` },
  'vhost-vdpa': { call: () => 'disable', refusal: 'Cannot set discarding of RAM broken' },
  sev: { call: () => 'disable', refusal: 'sev_kvm_init: cannot disable RAM discard' },
  's390-pv': { call: () => 'disable', refusal: 'protected VMs: cannot disable RAM discard' },
  colo: { call: () => 'disable', refusal: 'COLO: cannot disable RAM discard' },
};

/** What taking a counter for a user gave. */
export type DiscardUse =
  { readonly kind: 'taken'; readonly call: DiscardCall; release(): void } | { readonly kind: 'refused'; readonly call: DiscardCall; readonly message: string };

/** Whether the component exists in this release (the iommufd backend came in 8.2). */
export const discardUserExists = (user: DiscardUser, r: Release): boolean => {
  const since = USERS[user].since;
  return since === undefined || compareReleases(r, since) >= 0;
};

/** Takes the counter `user` takes in release `r`; a refusal changes nothing. */
export function takeDiscardUse(coordination: RamDiscardCoordination, user: DiscardUser, r: Release): DiscardUse {
  const rule = USERS[user];
  const call = rule.call(r);
  if (coordination.call(call, true) === 'EBUSY') return { kind: 'refused', call, message: rule.refusal };
  let released = false;
  return {
    kind: 'taken',
    call,
    release: () => {
      if (released) return;
      released = true;
      coordination.call(call, false);
    },
  };
}

/** What besides the counters stops the balloon from freeing memory. */
export interface BalloonMigrationState {
  /** migration_in_incoming_postcopy(): discards would race with pages arriving. */
  readonly incomingPostcopy: boolean;
  /** migration_in_bg_snapshot() (6.0+): the snapshot write-protects guest RAM. */
  readonly backgroundSnapshot: boolean;
}

export const NO_MIGRATION: BalloonMigrationState = { incomingPostcopy: false, backgroundSnapshot: false };

/**
 * virtio_balloon_inhibited: when true, inflate, deflate and report elements are acknowledged but
 * nothing happens to host memory, and nothing is printed. 5.1-5.2 knew no background snapshots.
 */
export function balloonInhibited(coordination: RamDiscardCoordination, migration: BalloonMigrationState, r: Release): boolean {
  const snapshots = compareReleases(r, { major: 6, minor: 0 }) >= 0;
  return coordination.isDisabled() || migration.incomingPostcopy || (snapshots && migration.backgroundSnapshot);
}

/**
 * What a device that maps guest RAM for DMA (VFIO) is told as RAM comes and goes: QEMU's
 * MemoryListener region_add/region_del for memory devices' regions, and the RamDiscardListener
 * notifications of a RamDiscardManager (virtio-mem, 6.1+) for the blocks it plugs and unplugs.
 */
export interface RamListener {
  /** A memory device's region was added to system memory (memory_device_plug). */
  regionAdded(device: QomObject): void;
  /** A memory device's region is about to leave system memory (memory_device_unplug). */
  regionRemoved(device: QomObject): void;
  /** notify_populate: part of the block was plugged (after any preallocation). */
  populated(block: RamBlock, offset: number, length: number): void;
  /** notify_discard: part of the block is about to be discarded (before the discard). */
  discarding(block: RamBlock, offset: number, length: number): void;
}

const LISTENERS = key<Set<RamListener>>('ram listeners');

/** The process's RAM listeners (the memory API's listener list). */
export function ramListeners(model: ObjectModel): Set<RamListener> {
  let found = model.services.get(LISTENERS);
  if (!found) {
    found = new Set();
    model.services.set(LISTENERS, found);
  }
  return found;
}
