/** A guest with the virtio-mem driver model bound to a scripted device, and helpers to read what happened. */
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import type { Arch } from '../../../src/core/arch.js';
import { Scheduler } from '../../../src/core/scheduler.js';
import { GiB, hex } from '../../../src/core/units.js';
import { GuestPages } from '../../../src/guest/balloon/guest-pages.js';
import { GuestRam } from '../../../src/guest/linux/guest-ram.js';
import { kernelVersion } from '../../../src/guest/linux/kernel-version.js';
import { gpaRange, type GpaRange } from '../../../src/guest/linux/ranges.js';
import { LinuxVirtioMemDriver, type LinuxVirtioMemOptions } from '../../../src/guest/linux/virtio-mem/driver.js';
import type { SentRequest } from '../../../src/guest/linux/virtio-mem/device-requests.js';
import type { KernelLogEntry } from '../../../src/guest/linux/virtio-mem/log.js';
import { GuestWorkload } from '../../../src/guest/linux/workload.js';
import type { GuestAccess, GuestMemoryPort } from '../../../src/guest/memory-port.js';
import { FakeGuestMemory, FakeVirtioMem, type FakeDeviceSetup } from './fake-virtio-mem.js';

export interface GuestSetup extends Partial<Omit<LinuxVirtioMemOptions, 'kernel' | 'arch' | 'ram'>> {
  readonly kernel: string;
  readonly arch?: Arch;
  readonly device: FakeDeviceSetup | FakeVirtioMem;
  readonly bootRam?: readonly GpaRange[];
  readonly scheduler?: Scheduler;
}

export function bootGuest(setup: GuestSetup) {
  const scheduler = setup.scheduler ?? new Scheduler();
  const device = setup.device instanceof FakeVirtioMem ? setup.device : new FakeVirtioMem(setup.device);
  const ram = new GuestRam(setup.bootRam ?? [gpaRange(0, 4 * GiB)]);
  const memory = new FakeGuestMemory(device, device.offered.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
  const entries: KernelLogEntry[] = [];
  const { kernel, arch, device: _d, bootRam: _b, scheduler: _s, ...rest } = setup;
  const driver = new LinuxVirtioMemDriver(device, memory, scheduler, { kernel: kernelVersion(kernel), arch: arch ?? 'x86_64', ram, ...rest }, (e) =>
    entries.push(e),
  );
  const probe = driver.probe();
  const workload = new GuestWorkload(memory, ram);
  const handled = () => device.handled;
  return { scheduler, device, ram, memory, driver, probe, entries, workload, handled };
}

/** A request as one short line: `plug 0x100000000 64 -> ack`. */
export function requestLine(s: SentRequest): string {
  const r = s.request;
  const what = r.kind === 'unplug-all' ? 'unplug-all' : `${r.kind} ${hex(r.addr)} ${r.nbBlocks}`;
  const answer = s.answer.kind === 'ack-state' ? `ack ${s.answer.state}` : s.answer.kind;
  return `${what} -> ${answer}`;
}

export const sentLines = (driver: LinuxVirtioMemDriver): string[] => driver.requests().map(requestLine);

/** The dmesg text lines without the device prefix, for compact expectations. */
export const messages = (driver: LinuxVirtioMemDriver): string[] => driver.logLines().map((l) => l.replace(/^virtio_mem virtio0: /, ''));

export const seconds = (nanos: number): number => nanos / 1e9;

export const DONE: GuestAccess = { kind: 'done', rssDelta: 0 };
/** A memory port whose accesses cost nothing and are not seen. */
export const SILENT_MEMORY: GuestMemoryPort = { read: () => DONE, write: () => DONE, zero: () => DONE };

/** Boot RAM of `bytes` from 0 whose allocations go through one page allocator (one DMA32 zone), as the balloon's and the kernel's do. */
export function sharedBootView(bytes: number) {
  const ram = new GuestRam([gpaRange(0, bytes)]);
  const pages = new GuestPages([{ name: 'DMA32', range: { gpa: 0, length: bytes } }], {
    memory: SILENT_MEMORY,
    bootOrder: 'lowest',
    movableMin: 'capped',
    initOnAlloc: false,
    initOnFree: false,
    pagePoisoning: false,
  });
  ram.shareBootAllocator(pages);
  return { ram, pages };
}
