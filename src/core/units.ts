/**
 * Units. Byte sizes and addresses are plain numbers checked to be safe integers where they enter
 * the model (real sizes stay far below 2^53); brands keep bytes, guest-physical addresses and
 * page counts from being mixed up. 64-bit wire values use bigint and never meet these types.
 */
import { HotmemError } from './errors.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A length in bytes. */
export type Bytes = Brand<number, 'Bytes'>;
/** A guest-physical address. */
export type Gpa = Brand<number, 'Gpa'>;
/** An offset in bytes inside a mapping or RAMBlock. */
export type Offset = Brand<number, 'Offset'>;
/** A number of pages of some page size. */
export type PageCount = Brand<number, 'PageCount'>;
/** Simulated time in nanoseconds since the simulation started. */
export type SimNanos = Brand<number, 'SimNanos'>;

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;
export const PiB = 1024 * TiB;

function checkedUnsigned(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HotmemError('core.unsafe-integer', `${what} ${value} is not a non-negative integer below 2^53`, {
      value,
    });
  }
  return value;
}

export const bytes = (n: number): Bytes => checkedUnsigned(n, 'byte count') as Bytes;
export const gpa = (n: number): Gpa => checkedUnsigned(n, 'guest-physical address') as Gpa;
export const offset = (n: number): Offset => checkedUnsigned(n, 'offset') as Offset;
export const pages = (n: number): PageCount => checkedUnsigned(n, 'page count') as PageCount;
export const nanos = (n: number): SimNanos => checkedUnsigned(n, 'time') as SimNanos;

/** Bitwise tricks are 32-bit in JavaScript, so the test goes through log2, exact for powers of two. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}
export const isAligned = (n: number, alignment: number): boolean => n % alignment === 0;
export const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;
export const alignDown = (n: number, alignment: number): number => Math.floor(n / alignment) * alignment;

/** QEMU's PRIx64 rendering with the 0x prefix its messages use: lower-case, no padding. */
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Bytes in the largest binary unit that keeps the number readable: `1 GiB`, `3.0 MiB`, `0 B`. */
export function sizeText(bytes: number): string {
  const abs = Math.abs(bytes);
  const fixed = (n: number, unit: string) => `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
  if (abs >= GiB) return fixed(bytes / GiB, 'GiB');
  if (abs >= MiB) return fixed(bytes / MiB, 'MiB');
  if (abs >= KiB) return fixed(bytes / KiB, 'KiB');
  return `${bytes} B`;
}
