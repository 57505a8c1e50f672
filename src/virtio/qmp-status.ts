/**
 * x-query-virtio-status (qmp_x_query_virtio_status: QEMU 7.2 hw/virtio/virtio.c, 8.0+
 * hw/virtio/virtio-qmp.c): feature words and the status byte decoded through QEMU's name tables.
 * QEMU builds each list by prepending, so names come out in reverse table order, and bits no
 * table names are reported as a number. The tables grew by release; an entry holds from `since`.
 * Checked against the real 7.2.22 and 10.0.13 (x86_64 and s390x).
 */
import { TARGET_ENDIAN, type Arch } from '../core/arch.js';
import { key } from '../core/keys.js';
import { inWindow, type Release } from '../core/release.js';
import type { QomObject } from '../qom/object.js';
import type { FeatureSet } from './feature-set.js';

interface NameEntry {
  readonly bit: number;
  readonly text: string;
  readonly since?: string;
}
type NameTable = readonly NameEntry[];

const TRANSPORTS: NameTable = [
  { bit: 24, text: 'VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ' },
  { bit: 27, text: 'VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts' },
  { bit: 32, text: 'VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)' },
  { bit: 33, text: 'VIRTIO_F_IOMMU_PLATFORM: Device can be used on IOMMU platform' },
  { bit: 34, text: 'VIRTIO_F_RING_PACKED: Device supports packed VQ layout' },
  { bit: 35, text: 'VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver' },
  { bit: 36, text: 'VIRTIO_F_ORDER_PLATFORM: Memory accesses ordered by platform' },
  { bit: 37, text: 'VIRTIO_F_SR_IOV: Device supports single root I/O virtualization' },
  // "hw/virtio: qmp: add RING_RESET to 'info virtio-status'" (8.1 fixes pull, 2023-08-03).
  { bit: 40, text: 'VIRTIO_F_RING_RESET: Driver can reset a queue individually', since: '8.1' },
  { bit: 28, text: 'VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported' },
  { bit: 29, text: 'VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled' },
];

/**
 * Device feature tables by virtio device ID. Until 10.2 virtio-mem's VIRTIO_MEM_F_ACPI_PXM entry
 * is compiled only into builds without ACPI (s390x), where the device never offers the bit (it
 * needs acpi_builtin()), so x86 reports bit 0 as unknown; 11.0 compiles every entry in everywhere
 * (8acd14272a "hw/virtio/virtio-qmp: make compilation unit common"), and x86 names it.
 */
const DEVICE_FEATURES: Readonly<Record<number, NameTable>> = {
  24: [
    { bit: 0, text: 'VIRTIO_MEM_F_ACPI_PXM: node_id is an ACPI PXM and is valid', since: '11.0' },
    { bit: 1, text: 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE: Unplugged memory cannot be accessed' },
    // Added with the feature (1f5f49056d, 9.2); QEMU's text drops the E of SUSPEND.
    { bit: 2, text: 'VIRTIO_MEM_F_PERSISTENT_SUSPND: Plugged memory will remain plugged when suspending+resuming', since: '9.2' },
  ],
  5: [
    { bit: 0, text: 'VIRTIO_BALLOON_F_MUST_TELL_HOST: Tell host before reclaiming pages' },
    { bit: 1, text: 'VIRTIO_BALLOON_F_STATS_VQ: Guest memory stats VQ available' },
    { bit: 2, text: 'VIRTIO_BALLOON_F_DEFLATE_ON_OOM: Deflate balloon when guest OOM' },
    { bit: 3, text: 'VIRTIO_BALLOON_F_FREE_PAGE_HINT: VQ reporting free pages enabled' },
    { bit: 4, text: 'VIRTIO_BALLOON_F_PAGE_POISON: Guest page poisoning enabled' },
    { bit: 5, text: 'VIRTIO_BALLOON_F_REPORTING: Page reporting VQ enabled' },
  ],
};

const STATUSES: NameTable = [
  { bit: 4, text: 'VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready' },
  { bit: 8, text: 'VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete' },
  { bit: 2, text: 'VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device' },
  { bit: 64, text: 'VIRTIO_CONFIG_S_NEEDS_RESET: Irrecoverable error, device needs reset' },
  { bit: 128, text: 'VIRTIO_CONFIG_S_FAILED: Error in guest, device failed' },
  { bit: 1, text: 'VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found' },
];

/** CONVERT_FEATURES over the release's entries: names of the set bits (prepended, so reversed), and what is left. */
function convert(table: NameTable, release: Release, word: bigint, mask: (bit: number) => bigint): { names: string[]; rest: bigint } {
  const names: string[] = [];
  let rest = word;
  for (const entry of table) {
    if (!inWindow(release, entry) || (rest & mask(entry.bit)) === 0n) continue;
    names.unshift(entry.text);
    rest &= ~mask(entry.bit);
  }
  return { names, rest };
}

const featureMask = (bit: number): bigint => 1n << BigInt(bit);

export function decodeFeatures(release: Release, deviceId: number, features: FeatureSet): Record<string, unknown> {
  const transports = convert(TRANSPORTS, release, features.word, featureMask);
  const device = convert(DEVICE_FEATURES[deviceId] ?? [], release, transports.rest, featureMask);
  return {
    'dev-features': device.names,
    transports: transports.names,
    ...(device.rest === 0n ? {} : { 'unknown-dev-features': Number(device.rest) }),
  };
}

export function decodeStatus(release: Release, status: number): Record<string, unknown> {
  const { names, rest } = convert(STATUSES, release, BigInt(status), (bit) => BigInt(bit));
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
  readonly queueSel: number;
  readonly broken: boolean;
  readonly useStarted: boolean;
  readonly startOnKick: boolean;
  readonly disableLegacyCheck: boolean;
}

/** Implemented by virtio device types; answers for a realized device. */
export const VIRTIO_STATUS = key<(device: QomObject) => VirtioStatusView | undefined>('virtio status');

/**
 * The reply, given whether the VM runs (vm_running; `started` needs it and DRIVER_OK).
 * device-endian is virtio_default_endian(), the target's byte order, set at every reset.
 */
export function virtioStatusReply(release: Release, target: Arch, view: VirtioStatusView, vmRunning: boolean): Record<string, unknown> {
  const empty = { 'dev-features': [], transports: [] };
  return {
    name: view.name,
    'device-id': view.deviceId,
    'vhost-started': false,
    'guest-features': decodeFeatures(release, view.deviceId, view.guestFeatures),
    'host-features': decodeFeatures(release, view.deviceId, view.hostFeatures),
    'backend-features': empty,
    'device-endian': TARGET_ENDIAN[target],
    'num-vqs': view.numVqs,
    status: decodeStatus(release, view.status),
    isr: 0,
    'queue-sel': view.queueSel,
    'vm-running': vmRunning,
    broken: view.broken,
    disabled: false,
    'use-started': view.useStarted,
    started: vmRunning && (view.status & 4) !== 0,
    'start-on-kick': view.startOnKick,
    'disable-legacy-check': view.disableLegacyCheck,
    'bus-name': '',
    'use-guest-notifier-mask': true,
  };
}
