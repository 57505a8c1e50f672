/**
 * x-query-virtio-status (QEMU 7.2 hw/virtio/virtio.c qmp_x_query_virtio_status): feature words
 * and the status byte decoded through QEMU's name tables. QEMU builds each list by prepending,
 * so names come out in reverse table order, and bits no table names are reported as a number.
 * 7.2 lists VIRTIO_MEM_F_ACPI_PXM only in builds without ACPI, so x86 reports it as unknown.
 */
import { key } from '../core/keys.js';
import type { QomObject } from '../qom/object.js';
import type { FeatureSet } from './feature-set.js';

type NameTable = ReadonlyArray<readonly [bit: number, text: string]>;

const TRANSPORTS: NameTable = [
  [24, 'VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ'],
  [27, 'VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts'],
  [32, 'VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)'],
  [33, 'VIRTIO_F_IOMMU_PLATFORM: Device can be used on IOMMU platform'],
  [34, 'VIRTIO_F_RING_PACKED: Device supports packed VQ layout'],
  [35, 'VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver'],
  [36, 'VIRTIO_F_ORDER_PLATFORM: Memory accesses ordered by platform'],
  [37, 'VIRTIO_F_SR_IOV: Device supports single root I/O virtualization'],
  [28, 'VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported'],
  [29, 'VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled'],
];

/** Device feature tables by virtio device ID; 7.2 decodes none for the balloon. */
const DEVICE_FEATURES: Readonly<Record<number, NameTable>> = {
  24: [[1, 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE: Unplugged memory cannot be accessed']],
  5: [],
};

const STATUSES: NameTable = [
  [4, 'VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready'],
  [8, 'VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete'],
  [2, 'VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device'],
  [64, 'VIRTIO_CONFIG_S_NEEDS_RESET: Irrecoverable error, device needs reset'],
  [128, 'VIRTIO_CONFIG_S_FAILED: Error in guest, device failed'],
  [1, 'VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found'],
];

/** CONVERT_FEATURES: names of the set bits (prepended, so reversed), and what is left. */
function convert(table: NameTable, word: bigint, mask: (bit: number) => bigint): { names: string[]; rest: bigint } {
  const names: string[] = [];
  let rest = word;
  for (const [bit, text] of table) {
    if ((rest & mask(bit)) === 0n) continue;
    names.unshift(text);
    rest &= ~mask(bit);
  }
  return { names, rest };
}

export function decodeFeatures(deviceId: number, features: FeatureSet): Record<string, unknown> {
  const transports = convert(TRANSPORTS, features.word, (bit) => 1n << BigInt(bit));
  const device = convert(DEVICE_FEATURES[deviceId] ?? [], transports.rest, (bit) => 1n << BigInt(bit));
  return {
    'dev-features': device.names,
    transports: transports.names,
    ...(device.rest === 0n ? {} : { 'unknown-dev-features': Number(device.rest) }),
  };
}

export function decodeStatus(status: number): Record<string, unknown> {
  const { names, rest } = convert(STATUSES, BigInt(status), (bit) => BigInt(bit));
  return { statuses: names, ...(rest === 0n ? {} : { 'unknown-statuses': Number(rest) }) };
}

/** What a realized virtio device reports about itself for x-query-virtio-status. */
export interface VirtioStatusView {
  readonly name: string;
  readonly deviceId: number;
  readonly hostFeatures: FeatureSet;
  readonly guestFeatures: FeatureSet;
  readonly status: number;
  readonly numVqs: number;
  readonly broken: boolean;
  readonly useStarted: boolean;
  readonly disableLegacyCheck: boolean;
}

/** Implemented by virtio device types; answers for a realized device. */
export const VIRTIO_STATUS = key<(device: QomObject) => VirtioStatusView | undefined>('virtio status');

/** The reply, given whether the VM runs (vm_running; `started` needs it and DRIVER_OK). */
export function virtioStatusReply(view: VirtioStatusView, vmRunning: boolean): Record<string, unknown> {
  const empty = { 'dev-features': [], transports: [] };
  return {
    name: view.name,
    'device-id': view.deviceId,
    'vhost-started': false,
    'guest-features': decodeFeatures(view.deviceId, view.guestFeatures),
    'host-features': decodeFeatures(view.deviceId, view.hostFeatures),
    'backend-features': empty,
    'device-endian': 'little',
    'num-vqs': view.numVqs,
    status: decodeStatus(view.status),
    isr: 0,
    'queue-sel': 0,
    'vm-running': vmRunning,
    broken: view.broken,
    disabled: false,
    'use-started': view.useStarted,
    started: vmRunning && (view.status & 4) !== 0,
    'start-on-kick': false,
    'disable-legacy-check': view.disableLegacyCheck,
    'bus-name': '',
    'use-guest-notifier-mask': true,
  };
}
