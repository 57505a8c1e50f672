/**
 * The byte order of virtio-balloon's queue payloads (PFNs, stats, hint command ids). QEMU reads
 * them with virtio_ldl_p / virtio_tswap*, which is little endian once VIRTIO_F_VERSION_1 is
 * negotiated and the target's own order for a legacy driver: big endian on s390x
 * (include/hw/virtio/virtio-access.h virtio_access_is_big_endian). The config space is always
 * little endian and does not use this.
 */
import { TARGET_ENDIAN, type Arch } from '../../src/core/arch.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { VIRTIO_F_VERSION_1 } from '../../src/virtio/transport-features.js';

export type WireOrder = 'le' | 'be';

export function wireOrder(guestFeatures: FeatureSet, target: Arch): WireOrder {
  if (guestFeatures.has(VIRTIO_F_VERSION_1)) return 'le';
  return TARGET_ENDIAN[target] === 'big' ? 'be' : 'le';
}

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const readU16 = (bytes: Uint8Array, at: number, order: WireOrder): number => view(bytes).getUint16(at, order === 'le');
export const readU32 = (bytes: Uint8Array, at: number, order: WireOrder): number => view(bytes).getUint32(at, order === 'le');
export const readU64 = (bytes: Uint8Array, at: number, order: WireOrder): bigint => view(bytes).getBigUint64(at, order === 'le');

export function writeU16(bytes: Uint8Array, at: number, value: number, order: WireOrder): void {
  view(bytes).setUint16(at, value, order === 'le');
}

export function writeU32(bytes: Uint8Array, at: number, value: number, order: WireOrder): void {
  view(bytes).setUint32(at, value, order === 'le');
}

export function writeU64(bytes: Uint8Array, at: number, value: bigint, order: WireOrder): void {
  view(bytes).setBigUint64(at, value, order === 'le');
}

/** Many u32s at once (a PFN array), through one view. */
export function readU32s(bytes: Uint8Array, order: WireOrder): number[] {
  const v = view(bytes);
  const out: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) out.push(v.getUint32(at, order === 'le'));
  return out;
}

export function writeU32s(values: readonly number[], order: WireOrder): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const v = view(bytes);
  values.forEach((value, i) => v.setUint32(i * 4, value, order === 'le'));
  return bytes;
}
