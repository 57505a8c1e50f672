/**
 * QEMU's size parser (util/cutils.c do_strtosz), reproduced rule by rule because users paste
 * values such as `1.5G` or `0x1M` from their scripts and expect QEMU's verdict.
 *
 * The value is computed exactly as QEMU does, in 64.64 fixed point, so `1.5G` and the rounding of
 * half a byte come out the same. The result is a bigint: overflow past 2^64 is an error of its own
 * (ERANGE), distinct from malformed input (EINVAL), because QEMU words the two differently.
 */
import { compareReleases, type Release } from '../release.js';

export type SizeParse =
  { readonly ok: true; readonly value: bigint; readonly deprecatedHexSuffix: boolean } | { readonly ok: false; readonly errno: 'EINVAL' | 'ERANGE' };

/** How the parser behaved in a given release. */
export interface SizeDialect {
  /** Hex with a multiplier suffix: silently accepted before 6.0, warned 6.0-7.2, rejected from 8.0. */
  readonly hexSuffix: 'accept' | 'warn' | 'reject';
  /** 8.1 (commit 42cc08d13a) accepts an empty integral part, as in `.5M`. */
  readonly emptyIntegralPart: boolean;
}

export function sizeDialect(r: Release): SizeDialect {
  const at = (major: number, minor: number) => compareReleases(r, { major, minor }) >= 0;
  return {
    hexSuffix: at(8, 0) ? 'reject' : at(6, 0) ? 'warn' : 'accept',
    emptyIntegralPart: at(8, 1),
  };
}

const UINT64_LIMIT = 1n << 64n;
const SUFFIX_SHIFT: Readonly<Record<string, bigint>> = { B: 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n, E: 60n };

function suffixMultiplier(c: string | undefined): bigint | undefined {
  if (c === undefined) return undefined;
  const shift = SUFFIX_SHIFT[c.toUpperCase()];
  return shift === undefined ? undefined : 1n << shift;
}

/** strtoull's leading white space (isspace in the C locale). */
const LEADING_SPACE = /^[ \t\n\v\f\r]*/;

/**
 * Parses `text` with `defaultSuffix` applying when no suffix is written (`B` for most callers,
 * `M` for `-m`, which uses qemu_strtosz_MiB).
 */
export function parseSize(text: string, dialect: SizeDialect, defaultSuffix: 'B' | 'M' = 'B'): SizeParse {
  const einval = { ok: false, errno: 'EINVAL' } as const;
  const body = text.slice(LEADING_SPACE.exec(text)![0].length);

  // The integral part is decimal; strtoull accepts a sign, which QEMU then refuses.
  const integral = /^([+-]?)(\d*)/.exec(body)!;
  const [, sign, digits] = integral as unknown as [string, string, string];
  if (sign === '-') return einval;
  let rest = body.slice(integral[0].length);
  if (digits === '' && !(dialect.emptyIntegralPart && rest.startsWith('.') && /^\.\d/.test(rest))) return einval;
  let whole = digits === '' ? 0n : BigInt(digits);
  if (whole >= UINT64_LIMIT) return { ok: false, errno: 'ERANGE' };

  let fraction = 0n;
  let hex = false;
  if (whole === 0n && digits !== '' && /^[xX]/.test(rest) && sign === '') {
    // Looks like hex: reparse the whole number in base 16, no fraction allowed.
    const hexDigits = /^[xX]([0-9a-fA-F]+)/.exec(rest);
    if (!hexDigits || digits !== '0') return einval;
    whole = BigInt(`0x${hexDigits[1]!}`);
    if (whole >= UINT64_LIMIT) return { ok: false, errno: 'ERANGE' };
    rest = rest.slice(hexDigits[0].length);
    if (rest.startsWith('.')) return einval;
    hex = true;
  } else if (rest.startsWith('.')) {
    const decimal = /^\.(\d+)([eE][+-]?\d+)?/.exec(rest);
    if (decimal === null) {
      // strtod found no digits after the dot: QEMU steps over the dot and goes on.
      rest = rest.slice(1);
    } else {
      if (decimal[2] !== undefined) return einval;
      // QEMU keeps the fraction as a double scaled to 64 bits, then truncates.
      fraction = BigInt(Math.trunc(Number(`0.${decimal[1]!}`) * 2 ** 64));
      rest = rest.slice(decimal[0].length);
    }
  }

  let multiplier = suffixMultiplier(rest[0]);
  if (multiplier !== undefined) {
    if (hex && dialect.hexSuffix === 'reject') return einval;
    rest = rest.slice(1);
  } else {
    multiplier = suffixMultiplier(defaultSuffix)!;
  }
  if (rest !== '') return einval;

  if (multiplier === 1n) {
    // A fraction needs a scale larger than bytes.
    if (fraction !== 0n) return einval;
    return { ok: true, value: whole, deprecatedHexSuffix: false };
  }
  const scaledFraction = fraction * multiplier;
  const halfUp = (scaledFraction >> 63n) & 1n;
  const value = whole * multiplier + (scaledFraction >> 64n) + halfUp;
  if (value >= UINT64_LIMIT) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value, deprecatedHexSuffix: hex && dialect.hexSuffix === 'warn' };
}
