/**
 * vfio-pci test fixtures: a host with assignable PCI devices and a machine started on it with
 * the given start-up items, or the refusal starting it gives.
 */
import { qemuBinary } from '../../../src/cli/binary.js';
import { isHotmemError } from '../../../src/core/errors.js';
import { Host } from '../../../src/host/host.js';
import type { HostPciDevice } from '../../../src/host/vfio.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** Two physical devices in groups 12 and 13, one without a group, and a mediated device. */
export const HOST_DEVICES: readonly HostPciDevice[] = [
  { address: '0000:01:00.0', iommuGroup: 12 },
  { address: '0000:01:00.1', iommuGroup: 12 },
  { address: '0000:02:00.0', iommuGroup: 13 },
  { address: '0000:03:00.0' },
  { address: '0000:00:02.0', iommuGroup: 0, mdev: true, sysfsdev: '/sys/bus/mdev/devices/4b20d080-1b54-4048-85b3-a6a62d165c01' },
];

export const props = (text: string): { name: string; value: string }[] =>
  text ? text.split(',').map((kv) => ({ name: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) })) : [];

export const device = (driver: string, id: string, text = '', bus?: string): StartupItem => ({
  kind: 'device',
  driver,
  id,
  props: props(text),
  ...(bus === undefined ? {} : { bus }),
});
export const object = (type: string, id: string, text: string): StartupItem => ({ kind: 'object', type, id, props: props(text) });

export interface VfioStartOptions {
  readonly release?: string;
  readonly memory?: string;
  readonly memLock?: 'on';
  /** q35 unless named (pc's pci.0 takes hotplug, q35's pcie.0 does not). */
  readonly machine?: string;
  /** -machine memory-backend=ID. */
  readonly memoryBackend?: string;
  /** The host's hugetlb pools, pages by page size. */
  readonly hugetlbPages?: Readonly<Record<number, number>>;
}

export function startOn(items: readonly StartupItem[], opts: VfioStartOptions = {}): Machine {
  const release = opts.release ?? '10.0';
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', 'x86_64'],
    ]),
  );
  const host = new Host({ arch: 'x86_64', pciDevices: HOST_DEVICES, ...(opts.hugetlbPages ? { hugetlbPages: opts.hugetlbPages } : {}) });
  return Machine.start(
    {
      release,
      arch: 'x86_64',
      machine: opts.machine ?? 'q35',
      memory: opts.memory ?? '1G,maxmem=16G',
      accel: 'kvm',
      host,
      items,
      ...(opts.memLock ? { memLock: opts.memLock } : {}),
      ...(opts.memoryBackend ? { machineProps: [{ name: 'memory-backend', value: opts.memoryBackend }] } : {}),
    },
    binary.environment,
  ).machine;
}

/** The message starting with `items` is refused with, or 'started'. */
export function outcome(items: readonly StartupItem[], opts: VfioStartOptions = {}): string {
  try {
    startOn(items, opts);
    return 'started';
  } catch (e) {
    if (isHotmemError(e)) return e.message;
    throw e;
  }
}
