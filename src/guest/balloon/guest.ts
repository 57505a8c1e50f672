/**
 * A Linux guest with the balloon driver, on a started machine: its zones are the machine's RAM
 * regions, its memory accesses go to the RAM's host mappings, and its work runs on the machine's
 * scheduler. Boot reservations (kernel image, memmap) are the caller's to make before probing.
 */
import type { Arch } from '../../core/arch.js';
import type { Timeline } from '../../core/scheduler.js';
import type { Machine } from '../../machine/machine.js';
import { guestMemoryPort } from '../../machine/guest-memory.js';
import { machineRamLookup } from '../../machine/ram-map.js';
import type { BalloonDriverPort } from '../../../devices/virtio-balloon/port.js';
import type { KernelVersion } from '../linux/kernel-version.js';
import { LinuxBalloonDriver } from './driver.js';
import { balloonLinuxHas } from './kernel-facts.js';
import { GuestPages } from './guest-pages.js';
import { GuestAllocator } from './reclaim.js';

export interface LinuxGuestOptions {
  readonly kernel: KernelVersion;
  /** init_on_alloc (Debian's kernels default it on from 5.3: CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y). */
  readonly initOnAlloc: boolean;
  readonly initOnFree: boolean;
  readonly pagePoisoning: boolean;
  readonly roundNanos?: number;
}

export interface LinuxBalloonGuest {
  readonly pages: GuestPages;
  readonly allocator: GuestAllocator;
  readonly driver: LinuxBalloonDriver;
}

/**
 * The guest's page allocator over the machine's boot RAM, one zone per RAM region; its accesses
 * go to the RAM of `current()`, the machine the guest runs on now (a migration moves it).
 */
export function linuxGuestPages(machine: Machine, options: LinuxGuestOptions, current: () => Machine = () => machine): GuestPages {
  const zones = machine.layout.ram.map((r) => ({ name: r.name, range: { gpa: r.base, length: r.size } }));
  // init_on_alloc and init_on_free are boot options from 5.3; older kernels have neither.
  const initOptions = balloonLinuxHas(options.kernel, 'init-on-alloc-free');
  return new GuestPages(zones, {
    memory: guestMemoryPort(() => machineRamLookup(current())),
    bootOrder: balloonLinuxHas(options.kernel, 'boot-memory-to-tail') ? 'lowest' : 'highest',
    movableMin: balloonLinuxHas(options.kernel, 'movable-min-capped') ? 'capped' : 'share',
    initOnAlloc: options.initOnAlloc && initOptions,
    initOnFree: options.initOnFree && initOptions,
    pagePoisoning: options.pagePoisoning,
  });
}

/**
 * The balloon driver on the guest's allocator (a whole guest's, shared with its workloads, or a
 * fresh one), its work on `timeline` (the machine's scheduler, or a GuestVm's that follows a
 * migration).
 */
export function linuxBalloonGuest(
  machine: Machine,
  port: BalloonDriverPort,
  options: LinuxGuestOptions,
  pages: GuestPages = linuxGuestPages(machine, options),
  timeline: Timeline = machine.scheduler,
  allocator: GuestAllocator = new GuestAllocator(pages),
): LinuxBalloonGuest {
  const arch: Arch = machine.arch;
  const initOptions = balloonLinuxHas(options.kernel, 'init-on-alloc-free');
  const driver = new LinuxBalloonDriver(port, pages, allocator, timeline, {
    kernel: options.kernel,
    arch,
    initOnFree: options.initOnFree && initOptions,
    pagePoisoning: options.pagePoisoning,
    ...(options.roundNanos === undefined ? {} : { roundNanos: options.roundNanos }),
  });
  return { pages, allocator, driver };
}
