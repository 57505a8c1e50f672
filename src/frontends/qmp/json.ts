/**
 * QMP's wire format as QEMU's JSON writer (qobject/json-writer.c) produces it: ": " after keys
 * and ", " between members, strings with every character outside printable ASCII escaped as
 * \uXXXX (upper-case hex, surrogate pairs beyond the BMP), doubles as qnum_to_string prints them
 * (infinities come out as `inf`), each message ending in "\r\n" (monitor_puts).
 */
import { valueAt, type Release } from '../../core/release.js';
import { isValidCodepoint } from './mod-utf8.js';

/**
 * How qnum_to_string prints a double: printf's %f with trailing zeros cut (6 decimals, so 1e-7 is
 * 0) until 6.0 moved it to %.17g, which round-trips (the json-writer series, Dec 2020).
 */
export type DoubleFormat = 'fixed' | 'g17';

const DOUBLE_FORMAT: ReadonlyArray<{ readonly since: string; readonly value: DoubleFormat }> = [
  { since: '5.1', value: 'fixed' },
  { since: '6.0', value: 'g17' },
];

export const doubleFormat = (r: Release): DoubleFormat => valueAt(r, DOUBLE_FORMAT) ?? 'g17';

export interface JsonStyle {
  /** -qmp-pretty's 4-space indents. */
  readonly pretty?: boolean;
  /** The release's double format; %.17g (which round-trips) by default. */
  readonly doubles?: DoubleFormat;
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** Printable ASCII but the quote and the backslash: written as it is. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function qmpString(text: string): string {
  if (VERBATIM.test(text)) return `"${text}"`;
  let out = '"';
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    const short = SHORT_ESCAPES[cp];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (!isValidCodepoint(cp)) cp = 0xfffd;
    if (cp > 0xffff) out += `\\u${hex4(0xd800 + ((cp - 0x10000) >> 10))}\\u${hex4(0xdc00 + ((cp - 0x10000) & 0x3ff))}`;
    else if (cp < 0x20 || cp >= 0x7f) out += `\\u${hex4(cp)}`;
    else out += String.fromCharCode(cp);
  }
  return `${out}"`;
}

/** C's printf("%.17g"): 17 significant digits, exponent form outside 1e-4..1e17, no trailing zeros. */
function formatG17(x: number): string {
  const [mantissa, exponentText] = x.toExponential(16).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 17) {
    return `${trimFraction(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trimFraction(x.toFixed(16 - exponent));
}

/** C's printf("%f") with trailing zeros and a bare point cut, as qnum_to_string did before 6.0. */
function formatFixed(x: number): string {
  // toFixed switches to exponent form from 1e21; such doubles are integers, exactly a BigInt.
  const fixed = Math.abs(x) >= 1e21 ? `${BigInt(x)}.000000` : x.toFixed(6);
  return trimFraction(fixed);
}

const trimFraction = (digits: string) => (digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '') : digits);

export function formatDouble(x: number, format: DoubleFormat = 'g17'): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return format === 'g17' ? formatG17(x) : formatFixed(x);
}

function qmpNumber(x: number | bigint, format: DoubleFormat): string {
  if (typeof x === 'bigint') return x.toString();
  return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : formatDouble(x, format);
}

/** qobject_to_json, or its pretty form for -qmp-pretty. */
export function qmpJson(value: unknown, style: JsonStyle = {}, indent = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return qmpString(value);
  if (typeof value === 'number' || typeof value === 'bigint') return qmpNumber(value, style.doubles ?? 'g17');
  if (typeof value === 'boolean') return String(value);
  const pretty = style.pretty === true;
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => qmpJson(v, style, inner));
    return pretty ? `[\n${items.map((i) => `${inner}${i}`).join(',\n')}\n${indent}]` : `[${items.join(', ')}]`;
  }
  // One pass, no intermediate arrays: every reply and event of a batch comes through here.
  let text = '';
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    text += `${text === '' ? '' : pretty ? ',\n' : ', '}${pretty ? inner : ''}${qmpString(k)}: ${qmpJson(v, style, inner)}`;
  }
  if (text === '') return '{}';
  return pretty ? `{\n${text}\n${indent}}` : `{${text}}`;
}

export const qmpLine = (value: unknown, style: JsonStyle = {}): string => `${qmpJson(value, style)}\r\n`;
