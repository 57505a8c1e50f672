/**
 * Turns QEMU 7.2's QMP answers into transcript records: x-query-virtio-status feature lists into
 * bit numbers, events into DeviceEvent, query-memory-devices into the virtio-mem entry. Pure.
 */
import type { QmpEvent } from '../qemu.js';
import type { DeviceEvent } from './transcript.js';

/**
 * Bit numbers for the feature names x-query-virtio-status prints (hw/virtio/virtio-qmp.c in
 * later releases, virtio.c in 7.2). QEMU prints names only, so the numbers come from the virtio
 * spec; a name missing here is an error rather than a silently dropped bit.
 */
const FEATURE_BITS: Readonly<Record<string, number>> = {
  VIRTIO_F_NOTIFY_ON_EMPTY: 24,
  VIRTIO_F_ANY_LAYOUT: 27,
  VIRTIO_RING_F_INDIRECT_DESC: 28,
  VIRTIO_RING_F_EVENT_IDX: 29,
  VIRTIO_F_BAD_FEATURE: 30,
  VIRTIO_F_VERSION_1: 32,
  VIRTIO_F_IOMMU_PLATFORM: 33,
  VIRTIO_F_RING_PACKED: 34,
  VIRTIO_F_IN_ORDER: 35,
  VIRTIO_F_ORDER_PLATFORM: 36,
  VIRTIO_F_SR_IOV: 37,
  VIRTIO_F_RING_RESET: 40,
  VIRTIO_BALLOON_F_MUST_TELL_HOST: 0,
  VIRTIO_BALLOON_F_STATS_VQ: 1,
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM: 2,
  VIRTIO_BALLOON_F_FREE_PAGE_HINT: 3,
  VIRTIO_BALLOON_F_PAGE_POISON: 4,
  VIRTIO_BALLOON_F_REPORTING: 5,
  VIRTIO_MEM_F_ACPI_PXM: 0,
  VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE: 1,
  VIRTIO_MEM_F_PERSISTENT_SUSPND: 2,
};

/** x-query-virtio-status `host-features` / `guest-features`. */
export interface VirtioFeatureList {
  readonly transports: readonly string[];
  readonly 'dev-features'?: readonly string[];
  readonly 'unknown-dev-features'?: number;
}

/** The feature bits a decoded list stands for, ascending. Names look like `NAME: description`. */
export function featureBits(list: VirtioFeatureList): number[] {
  const bits = new Set<number>();
  for (const entry of [...list.transports, ...(list['dev-features'] ?? [])]) {
    const name = entry.split(':')[0]!.trim();
    const bit = FEATURE_BITS[name];
    if (bit === undefined) throw new Error(`x-query-virtio-status: unknown feature name ${name}`);
    bits.add(bit);
  }
  // Bits QEMU 7.2 cannot name (all of virtio-mem's, RING_RESET) arrive as one number.
  const unknown = list['unknown-dev-features'] ?? 0;
  if (!Number.isSafeInteger(unknown)) throw new Error(`x-query-virtio-status: unknown-dev-features ${unknown} lost precision`);
  for (let bit = 0, rest = BigInt(unknown); rest > 0n; bit++, rest >>= 1n) {
    if (rest & 1n) bits.add(bit);
  }
  return [...bits].sort((a, b) => a - b);
}

/** x-query-virtio-status `status.statuses`: the names before the description. */
export function statusNames(statuses: readonly string[]): string[] {
  return statuses.map((s) => s.split(':')[0]!.trim());
}

/** An event relative to `originMs` (host wall clock, as QEMU stamps events). */
export function decodeEvent(event: QmpEvent, originMs: number): DeviceEvent {
  const atMs = Math.round(event.timestamp.seconds * 1000 + event.timestamp.microseconds / 1000 - originMs);
  const d = event.data ?? {};
  switch (event.event) {
    case 'MEMORY_DEVICE_SIZE_CHANGE':
      return {
        event: 'MEMORY_DEVICE_SIZE_CHANGE',
        atMs,
        id: typeof d['id'] === 'string' ? d['id'] : null,
        qomPath: String(d['qom-path']),
        size: Number(d['size']),
      };
    case 'BALLOON_CHANGE':
      return { event: 'BALLOON_CHANGE', atMs, actual: Number(d['actual']) };
    default:
      return { event: 'other', atMs, name: event.event };
  }
}

/** One query-memory-devices entry of type virtio-mem, as 7.2 fills it. */
export interface VirtioMemDeviceInfo {
  readonly id: string;
  readonly memaddr: number;
  readonly 'block-size': number;
  readonly 'max-size': number;
  readonly size: number;
  readonly 'requested-size': number;
}

export function findVirtioMem(devices: unknown, id: string): VirtioMemDeviceInfo {
  const list = devices as readonly { type: string; data: VirtioMemDeviceInfo }[];
  const found = list.find((d) => d.type === 'virtio-mem' && d.data.id === id);
  if (!found) throw new Error(`query-memory-devices has no virtio-mem '${id}': ${JSON.stringify(devices)}`);
  return found.data;
}
