/**
 * The scenarios the booted-guest tests run, exported so a model can be run on exactly the same
 * inputs. Each costs one TCG boot (a few seconds), so there are few and each does a lot.
 */
import type { GuestScenario } from './transcript.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const base = { bootMemory: 1 * GiB, maxMemory: 4 * GiB } as const;

/**
 * The full cycle on today's defaults with the feature forced on: plug, fill the new memory with
 * guest data, unplug under that data (the driver must migrate it), unplug everything, balloon.
 * Memory is onlined movable, so everything plugged can be unplugged again.
 */
export const MOVABLE_CYCLE: GuestScenario = {
  name: 'q35 ram, unplugged-inaccessible=on, online_movable, balloon',
  machine: 'q35',
  accel: 'tcg',
  ...base,
  onlinePolicy: 'online_movable',
  virtioMem: { backend: 'ram', backendSize: 2 * GiB, share: false, requestedSize: 0, unpluggedInaccessible: 'on' },
  balloon: true,
  steps: [
    { kind: 'resize', requestedSize: 512 * MiB },
    { kind: 'resize', requestedSize: 1536 * MiB },
    { kind: 'guest-fill', bytes: 1 * GiB },
    { kind: 'resize', requestedSize: 512 * MiB },
    { kind: 'guest-fill', bytes: 0 },
    { kind: 'resize', requestedSize: 0 },
    { kind: 'balloon', target: 768 * MiB },
  ],
};

/**
 * QEMU's defaults (`auto` resolves to off on anonymous RAM) with memory plugged at boot and
 * onlined to ZONE_NORMAL, where kernel allocations can pin it: unplugging to 0 may stop short.
 */
export const KERNEL_ZONE: GuestScenario = {
  name: 'q35 ram, unplugged-inaccessible default, online (kernel zone), 512M at boot',
  machine: 'q35',
  accel: 'tcg',
  ...base,
  onlinePolicy: 'online',
  virtioMem: { backend: 'ram', backendSize: 2 * GiB, share: false, requestedSize: 512 * MiB, unpluggedInaccessible: null },
  balloon: false,
  steps: [
    { kind: 'resize', requestedSize: 0 },
    { kind: 'resize', requestedSize: 1 * GiB },
    { kind: 'resize', requestedSize: 0 },
  ],
};

/**
 * A 6.2 machine (compat: unplugged-inaccessible=off) on memfd, which has no shared zeropage:
 * QEMU warns, and the host cost shows up as shared memory.
 */
export const MEMFD_COMPAT: GuestScenario = {
  name: 'pc-q35-6.2 memfd, unplugged-inaccessible from compat, online_movable',
  machine: 'pc-q35-6.2',
  accel: 'tcg',
  ...base,
  onlinePolicy: 'online_movable',
  virtioMem: { backend: 'memfd', backendSize: 2 * GiB, share: false, requestedSize: 0, unpluggedInaccessible: null },
  balloon: false,
  steps: [
    { kind: 'resize', requestedSize: 512 * MiB },
    { kind: 'guest-fill', bytes: 256 * MiB },
    { kind: 'resize', requestedSize: 0 },
  ],
};

export const GUEST_SCENARIOS: readonly GuestScenario[] = [MOVABLE_CYCLE, KERNEL_ZONE, MEMFD_COMPAT];
