/**
 * QEMU's qobject/json-parser.c: one message's tokens to a QObject, or the first error with
 * QEMU's wording. Strings are decoded as modified UTF-8 (\u0000 allowed, surrogates and
 * noncharacters not); integers are int64 if they fit, else uint64, else a double.
 */
import type { JsonToken } from './json-lexer.js';
import { isValidCodepoint, modUtf8Codepoint } from './mod-utf8.js';
import type { JsonMessage } from './json-streamer.js';
import { QDict, QNumber, type QObject } from './qobject.js';

/** Thrown to unwind to parseJsonTokens; not an Error, as a stack trace would cost more than the parse. */
class ParseError {
  constructor(readonly message: string) {}
}

const SPACE = Buffer.from(' ');

/** parse_error formats into a 1024-byte buffer, so a long message is cut to 1023 bytes. */
const PARSE_ERROR_BUFFER = 1024;

const fail = (message: string): never => {
  throw new ParseError(`JSON parse error, ${message.slice(0, PARSE_ERROR_BUFFER - 1)}`);
};

const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function hex4(bytes: Uint8Array, at: number): number {
  let cp = 0;
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i];
    const digit = c === undefined ? -1 : c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) return -1;
    cp = cp * 16 + digit;
  }
  return cp;
}

function parseString(bytes: Uint8Array): string {
  const quote = bytes[0]!;
  let out = '';
  let p = 1;
  while (bytes[p] !== quote) {
    if (bytes[p] === 0x5c) {
      const begin = p;
      p++;
      const escape = String.fromCharCode(bytes[p++] ?? 0);
      const simple = SIMPLE_ESCAPES[escape];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      if (escape !== 'u') fail('invalid escape sequence in string');
      let cp = hex4(bytes, p);
      p += 4;
      if (cp >= 0xd800 && cp <= 0xdbff && bytes[p] === 0x5c && bytes[p + 1] === 0x75) {
        const trailing = hex4(bytes, p + 2);
        if (trailing >= 0xdc00 && trailing <= 0xdfff) {
          cp = 0x10000 + ((cp & 0x3ff) << 10) + (trailing & 0x3ff);
          p += 6;
        } else {
          cp = -1;
        }
      }
      if (cp < 0 || !isValidCodepoint(cp)) {
        // QEMU prints the escape as written, up to the string's end (its token is a C string).
        fail(`${ascii(bytes.subarray(begin, Math.min(p, bytes.length)))} is not a valid Unicode character`);
      }
      out += String.fromCodePoint(cp);
      continue;
    }
    const { cp, end } = modUtf8Codepoint(bytes, p);
    if (cp < 0) fail('invalid UTF-8 sequence in string');
    out += String.fromCodePoint(cp);
    p = end;
  }
  return out;
}

function parseInteger(text: string): QNumber {
  const value = BigInt(text);
  if (value >= INT64_MIN && value <= INT64_MAX) return new QNumber({ kind: 'int', value });
  if (!text.startsWith('-') && value <= UINT64_MAX) return new QNumber({ kind: 'uint', value });
  return new QNumber({ kind: 'double', value: Number(text) });
}

class TokenReader {
  #at = 0;

  constructor(readonly tokens: readonly JsonToken[]) {}

  peek(): JsonToken | undefined {
    return this.tokens[this.#at];
  }

  pop(): JsonToken | undefined {
    return this.tokens[this.#at++];
  }

  get done(): boolean {
    return this.#at >= this.tokens.length;
  }
}

function parsePair(r: TokenReader, dict: QDict): void {
  if (!r.peek()) fail('premature EOI');
  const key = parseValue(r);
  if (typeof key !== 'string') fail('key is not a string in object');
  const colon = r.pop();
  if (!colon) fail('premature EOI');
  if (colon!.type !== 'colon') fail('missing : in object pair');
  const value = parseValue(r);
  if (dict.has(key as string)) fail('duplicate key');
  dict.put(key as string, value);
}

function parseObject(r: TokenReader): QDict {
  r.pop();
  const dict = new QDict();
  const peek = r.peek();
  if (!peek) fail('premature EOI');
  if (peek!.type === 'rcurly') {
    r.pop();
    return dict;
  }
  parsePair(r, dict);
  for (;;) {
    const token = r.pop();
    if (!token) fail('premature EOI');
    if (token!.type === 'rcurly') return dict;
    if (token!.type !== 'comma') fail('expected separator in dict');
    parsePair(r, dict);
  }
}

function parseArray(r: TokenReader): QObject[] {
  r.pop();
  const list: QObject[] = [];
  const peek = r.peek();
  if (!peek) fail('premature EOI');
  if (peek!.type === 'rsquare') {
    r.pop();
    return list;
  }
  list.push(parseValue(r));
  for (;;) {
    const token = r.pop();
    if (!token) fail('premature EOI');
    if (token!.type === 'rsquare') return list;
    if (token!.type !== 'comma') fail('expected separator in list');
    list.push(parseValue(r));
  }
}

const KEYWORDS: Readonly<Record<string, QObject>> = { true: true, false: false, null: null };

function parseValue(r: TokenReader): QObject {
  const token = r.peek();
  if (!token) return fail('premature EOI');
  switch (token.type) {
    case 'lcurly':
      return parseObject(r);
    case 'lsquare':
      return parseArray(r);
    case 'string':
      r.pop();
      return parseString(token.bytes);
    case 'integer':
      r.pop();
      return parseInteger(ascii(token.bytes));
    case 'float':
      r.pop();
      return new QNumber({ kind: 'double', value: Number(ascii(token.bytes)) });
    case 'keyword': {
      r.pop();
      const word = ascii(token.bytes);
      if (Object.hasOwn(KEYWORDS, word)) return KEYWORDS[word]!;
      return fail(`invalid keyword '${word}'`);
    }
    default:
      return fail('expecting value');
  }
}

/** One message's tokens, as the streamer hands them over (balanced or clearly unbalanced). */
export function parseJsonTokens(tokens: readonly JsonToken[]): JsonMessage {
  try {
    const reader = new TokenReader(tokens);
    const value = parseValue(reader);
    const source = Buffer.concat(tokens.flatMap((t, i) => (i === 0 ? [t.bytes] : [SPACE, t.bytes]))).toString('utf8');
    return { kind: 'value', value, source };
  } catch (e) {
    if (e instanceof ParseError) return { kind: 'error', desc: e.message };
    throw e;
  }
}
