/**
 * QEMU's "modified UTF-8" (util/unicode.c): what its JSON parser accepts inside strings and what
 * its JSON writer decodes before escaping. NUL is the two bytes C0 80; noncharacters and
 * surrogates are not valid code points.
 */

export function isValidCodepoint(cp: number): boolean {
  if (cp > 0x10ffff) return false;
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return false;
  return !(cp >= 0xd800 && cp <= 0xdfff);
}

const MIN_CODEPOINT = [0x80, 0x800, 0x10000, 0x200000, 0x4000000] as const;

/**
 * Decodes one code point at `at` (at most `n` bytes): the code point, or -1 for an invalid
 * sequence, and where decoding stopped. A missing continuation byte stops before that byte.
 */
export function modUtf8Codepoint(bytes: Uint8Array, at: number, n = 6): { cp: number; end: number } {
  if (n === 0 || at >= bytes.length || bytes[at] === 0) return { cp: -1, end: at };
  let p = at;
  let byte = bytes[p++]!;
  if (byte < 0x80) return { cp: byte, end: p };
  if (byte >= 0xfe || (byte & 0x40) === 0) return { cp: -1, end: p };
  let len = 0;
  let mask = 0x80;
  for (; byte & mask; mask >>= 1) len++;
  let cp = byte & (mask - 1);
  for (let i = 1; i < len; i++) {
    byte = i < n && p < bytes.length ? bytes[p]! : 0;
    if ((byte & 0xc0) !== 0x80) return { cp: -1, end: p };
    p++;
    cp = cp * 64 + (byte & 0x3f);
  }
  if (!isValidCodepoint(cp)) return { cp: -1, end: p };
  if (cp < MIN_CODEPOINT[len - 2]! && !(cp === 0 && len === 2)) return { cp: -1, end: p };
  return { cp, end: p };
}

/**
 * A C string's bytes as text, the way QEMU's JSON writer reads it: up to the first NUL, each
 * invalid sequence becoming U+FFFD.
 */
export function decodeCString(bytes: Uint8Array): string {
  let text = '';
  let at = 0;
  while (at < bytes.length && bytes[at] !== 0) {
    const { cp, end } = modUtf8Codepoint(bytes, at);
    text += String.fromCodePoint(cp < 0 ? 0xfffd : cp);
    at = end;
  }
  return text;
}
