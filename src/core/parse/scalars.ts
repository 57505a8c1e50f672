/**
 * QEMU's scalar parsers: qapi_bool_parse, qapi_enum_parse and qemu_strtou64/qemu_strtoi64.
 * Each returns a result instead of throwing: the caller (an input visitor) decides the wording,
 * because QEMU words the same failure differently depending on where the value came from.
 */
import { compareReleases, type Release } from '../release.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errno: 'EINVAL' | 'ERANGE' };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const EINVAL = { ok: false, errno: 'EINVAL' } as const;
const ERANGE = { ok: false, errno: 'ERANGE' } as const;

/** Exactly these spellings, case-sensitive; `y`/`n` since 5.2 (qapi/qapi-util.c). */
export function parseBool(text: string, r: Release): Parsed<boolean> {
  const short = compareReleases(r, { major: 5, minor: 2 }) >= 0;
  if (text === 'on' || text === 'yes' || text === 'true' || (short && text === 'y')) return ok(true);
  if (text === 'off' || text === 'no' || text === 'false' || (short && text === 'n')) return ok(false);
  return EINVAL;
}

export function parseEnum<T extends string>(text: string, values: readonly T[]): Parsed<T> {
  return (values as readonly string[]).includes(text) ? ok(text as T) : EINVAL;
}

/**
 * strtoull with base 0: decimal, 0x hex, leading-0 octal, optional sign. Like strtoull, a minus
 * sign wraps modulo 2^64 (QEMU keeps that quirk for uint64: "-1" is 0xffffffffffffffff).
 */
export function parseUint64(text: string): Parsed<bigint> {
  const parsed = parseMagnitude(text);
  if (!parsed.ok) return parsed;
  const { negative, magnitude } = parsed.value;
  if (magnitude >= 1n << 64n) return ERANGE;
  return ok(negative ? ((1n << 64n) - magnitude) % (1n << 64n) : magnitude);
}

/** strtoll with base 0, range-checked to int64. */
export function parseInt64(text: string): Parsed<bigint> {
  const parsed = parseMagnitude(text);
  if (!parsed.ok) return parsed;
  const { negative, magnitude } = parsed.value;
  const value = negative ? -magnitude : magnitude;
  if (value < -(1n << 63n) || value >= 1n << 63n) return ERANGE;
  return ok(value);
}

function parseMagnitude(text: string): Parsed<{ negative: boolean; magnitude: bigint }> {
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (!match) return EINVAL;
  const digits = match[2]!;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return ok({ negative: match[1] === '-', magnitude });
}
