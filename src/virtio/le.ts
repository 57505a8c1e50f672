/**
 * Little-endian field access for config spaces and request/response structures. A VERSION_1
 * device is little endian whatever the guest (virtio 1.1 §2.4, QEMU's cpu_to_le* for virtio-1
 * structures). 64-bit fields are bigint, as on the wire; `toSafeNumber` is the one checked way
 * from a wire value to the number the rest of the model uses for sizes and addresses.
 */
import { virtioErrors } from './errors.js';

/** Width in bytes of a little-endian field. */
export type FieldWidth = 2 | 4 | 8;

function view(bytes: Uint8Array, offset: number, width: FieldWidth): DataView {
  if (!Number.isInteger(offset) || offset < 0 || offset + width > bytes.length) {
    throw virtioErrors.error('virtio.le-out-of-bounds', { offset, width, length: bytes.length });
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkNumber(value: number, width: 2 | 4): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * width)) {
    throw virtioErrors.error('virtio.le-value-out-of-range', { value, width });
  }
}

export const readLe16 = (bytes: Uint8Array, offset: number): number => view(bytes, offset, 2).getUint16(offset, true);
export const readLe32 = (bytes: Uint8Array, offset: number): number => view(bytes, offset, 4).getUint32(offset, true);
export const readLe64 = (bytes: Uint8Array, offset: number): bigint => view(bytes, offset, 8).getBigUint64(offset, true);

export function writeLe16(bytes: Uint8Array, offset: number, value: number): void {
  checkNumber(value, 2);
  view(bytes, offset, 2).setUint16(offset, value, true);
}

export function writeLe32(bytes: Uint8Array, offset: number, value: number): void {
  checkNumber(value, 4);
  view(bytes, offset, 4).setUint32(offset, value, true);
}

export function writeLe64(bytes: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >= 1n << 64n) {
    throw virtioErrors.error('virtio.le-value-out-of-range', { value, width: 8 });
  }
  view(bytes, offset, 8).setBigUint64(offset, value, true);
}

/** Whether a 64-bit wire value can become a number without losing precision. */
export const fitsSafeNumber = (value: bigint): boolean => value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A wire value as a number, for values the model itself put there (sizes, addresses). Values
 * from the guest go through `fitsSafeNumber` first: a guest may write anything.
 */
export function toSafeNumber(value: bigint, what: string): number {
  if (!fitsSafeNumber(value)) {
    throw virtioErrors.error('virtio.u64-not-safe-integer', { what, value });
  }
  return Number(value);
}
