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
export function readU32s(bytes: Uint8Array, order: WireOrder): Uint32Array {
  const v = view(bytes);
  const littleEndian = order === 'le';
  const out = new Uint32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = v.getUint32(i * 4, littleEndian);
  return out;
}

export function writeU32s(values: ArrayLike<number>, order: WireOrder): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const v = view(bytes);
  const littleEndian = order === 'le';
  for (let i = 0; i < values.length; i++) v.setUint32(i * 4, values[i]!, littleEndian);
  return bytes;
}
