/**
 * Little-endian field access for config spaces and request/response structures. A VERSION_1
 * device is little endian whatever the guest (virtio 1.1 §2.4, QEMU's cpu_to_le* for virtio-1
 * structures). 64-bit fields are bigint, as on the wire; `toSafeNumber` is the one checked way
 * from a wire value to the number the rest of the model uses for sizes and addresses.
 */
import { virtioErrors } from './errors.js';

/** Width in bytes of a little-endian field. */
export type FieldWidth = 2 | 4 | 8;

/**
 * Checks the field lies within `bytes`. Fields are read byte by byte rather than through a
 * DataView: a matrix cell reads and writes thousands of them, and a DataView per field was a
 * visible part of its time.
 */
function check(bytes: Uint8Array, offset: number, width: FieldWidth): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + width > bytes.length) {
    throw virtioErrors.error('virtio.le-out-of-bounds', { offset, width, length: bytes.length });
  }
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = v >>> 24;
}

function checkNumber(value: number, width: 2 | 4): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * width)) {
    throw virtioErrors.error('virtio.le-value-out-of-range', { value, width });
  }
}

export function readLe16(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 2);
  return u16(bytes, offset);
}

export function readLe32(bytes: Uint8Array, offset: number): number {
  check(bytes, offset, 4);
  return u32(bytes, offset);
}

export function readLe64(bytes: Uint8Array, offset: number): bigint {
  check(bytes, offset, 8);
  return BigInt(u32(bytes, offset)) | (BigInt(u32(bytes, offset + 4)) << 32n);
}

export function writeLe16(bytes: Uint8Array, offset: number, value: number): void {
  checkNumber(value, 2);
  check(bytes, offset, 2);
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = value >>> 8;
}

export function writeLe32(bytes: Uint8Array, offset: number, value: number): void {
  checkNumber(value, 4);
  check(bytes, offset, 4);
  put32(bytes, offset, value);
}

export function writeLe64(bytes: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >= 1n << 64n) {
    throw virtioErrors.error('virtio.le-value-out-of-range', { value, width: 8 });
  }
  check(bytes, offset, 8);
  put32(bytes, offset, Number(value & 0xffffffffn));
  put32(bytes, offset + 4, Number(value >> 32n));
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
