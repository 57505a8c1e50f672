/**
 * Sizes and property values as a definition writes them.
 *
 * Users bring sizes from QEMU command lines (`1G`, `1.5G`) and from libvirt XML and virsh
 * (`4 GiB`, `1GB`), and the two disagree on exactly one thing: libvirt's two-letter units
 * KB, MB, GB... are powers of 1000. One rule decides which notation a string uses:
 *
 * - a bare number is bytes, everywhere (also for machine.memory, unlike -m whose unit is MiB);
 * - a number followed directly by at most one letter (`1G`, `512m`, `1.5G`, `0x1000`) is QEMU's
 *   notation and is parsed by QEMU's own parser for the definition's release (K M G T P E are
 *   powers of 1024, B is bytes, fractions allowed);
 * - a space before the unit, a two-letter unit or `byte(s)` (`4 GiB`, `512MiB`, `1GB`, `10 bytes`)
 *   is libvirt's notation: KiB MiB GiB... and lone letters are powers of 1024, KB MB GB... powers
 *   of 1000, units are case-insensitive, and the number is whole, as libvirt's scaled integers are.
 *
 * So `1G` = `1GiB` = `1 G` = 2^30 and `1GB` = 10^9. Lone letters mean the same in both notations,
 * which is what makes the rule safe. Surrounding spaces are ignored.
 */
import { parseSize, type SizeDialect } from '../../core/parse/size.js';
import { bytes, type Bytes } from '../../core/units.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

const BEYOND_RANGE = "is beyond 2^53 bytes, outside hotmem's range";
const LIBVIRT_FORM = /^(\d+)(\.\d*)?(\s*)(bytes?|b|[kmgtpe](?:i?b)?)$/i;
const EXPONENT: Readonly<Record<string, bigint>> = { k: 1n, m: 2n, g: 3n, t: 4n, p: 5n, e: 6n };

/** A libvirt-notation size's bytes; undefined when the text is not in libvirt's notation. */
export function libvirtSize(text: string): Parsed<Bytes> | undefined {
  const match = LIBVIRT_FORM.exec(text.trim());
  if (!match) return undefined;
  const [, whole, fraction, space, unit] = match as unknown as [string, string, string | undefined, string, string];
  const lower = unit.toLowerCase();
  if (space === '' && unit.length === 1) return undefined;
  if (fraction !== undefined) return fail('is not a whole number: libvirt units take whole numbers; use a smaller unit, or QEMU notation such as 1.5G');
  let multiplier = 1n;
  if (!lower.startsWith('b')) {
    const base = lower.endsWith('b') && !lower.endsWith('ib') ? 1000n : 1024n;
    multiplier = base ** EXPONENT[lower[0]!]!;
  }
  const value = BigInt(whole) * multiplier;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? fail(BEYOND_RANGE) : ok(bytes(Number(value)));
}

function qemuSize(text: string, dialect: SizeDialect, release: string): Parsed<Bytes> {
  const parsed = parseSize(text, dialect);
  if (!parsed.ok) return fail(parsed.errno === 'ERANGE' ? 'is too large: QEMU sizes stay below 2^64' : `is not a size QEMU ${release} accepts`);
  return parsed.value > BigInt(Number.MAX_SAFE_INTEGER) ? fail(BEYOND_RANGE) : ok(bytes(Number(parsed.value)));
}

/**
 * A size field's bytes (machine.memory, balloon target, ...). `value` has passed the schema, so
 * a number is a safe non-negative integer.
 */
export function definitionSize(value: number | string, dialect: SizeDialect, release: string): Parsed<Bytes> {
  if (typeof value === 'number') return ok(bytes(value));
  return libvirtSize(value) ?? qemuSize(value.trim(), dialect, release);
}

/**
 * The text QEMU parses for a property value: true/false become on/off (what QEMU's visitors
 * accept), numbers their decimal digits, libvirt sizes their bytes. Other text, QEMU sizes
 * included, goes as written, so QEMU's own parser and messages apply per release.
 */
export function propertyText(value: string | number | boolean): Parsed<string> {
  if (typeof value === 'boolean') return ok(value ? 'on' : 'off');
  if (typeof value === 'number') return ok(String(value));
  const size = libvirtSize(value);
  if (size === undefined) return ok(value);
  return size.ok ? ok(String(size.value)) : size;
}

const QEMU_SCALED = /^\s*(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?|\.\d+)[kmgtpe]\s*$/i;

/**
 * The text an expected property value is compared as. No QEMU parser stands between an
 * expectation and the value read back, so QEMU-notation sizes with a unit (`1G`) become bytes
 * too; text without a unit (`auto`, `vm0`) stays as written.
 */
export function expectedText(value: string | number | boolean, dialect: SizeDialect, release: string): Parsed<string> {
  if (typeof value === 'string' && QEMU_SCALED.test(value)) {
    const size = qemuSize(value.trim(), dialect, release);
    return size.ok ? ok(String(size.value)) : size;
  }
  return propertyText(value);
}

/** The shortest exact QEMU-notation text for a byte count (`4G`, `1536M`, `4097B`): -m needs a unit. */
export function qemuSizeText(n: Bytes): string {
  for (const [suffix, shift] of [
    ['E', 60],
    ['P', 50],
    ['T', 40],
    ['G', 30],
    ['M', 20],
    ['K', 10],
  ] as const) {
    const unit = 2 ** shift;
    if (n > 0 && n % unit === 0) return `${n / unit}${suffix}`;
  }
  return `${n}B`;
}
