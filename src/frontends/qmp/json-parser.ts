/**
 * QEMU's qobject/json-parser.c: one message's tokens to a QObject, or the first error with
 * QEMU's wording. Strings are decoded as modified UTF-8 (\u0000 allowed, surrogates and
 * noncharacters not); integers are int64 if they fit, else uint64, else a double.
 */
import { valueAt, type Release } from '../../core/release.js';
import type { JsonToken } from './json-lexer.js';
import { isValidCodepoint, modUtf8Codepoint } from './mod-utf8.js';
import type { JsonMessage } from './json-streamer.js';
import { QDict, QNumber, type QObject } from './qobject.js';

/**
 * How a release words JSON errors. Up to 11.0 (as far as its source shows), without a place and
 * with the object and list messages of 2018's parser; QEMU 11.1 (seen in Debian's 11.1.3) puts
 * `line:column: ` before each lexical and syntax error, asks for a key where an object member
 * does not start with a string, words the separators and the colon differently, and drops the
 * rest of a message that outgrew a limit.
 */
export interface JsonErrorStyle {
  readonly located: boolean;
  readonly missingColon: string;
  readonly dictSeparator: string;
  readonly listSeparator: string;
  /** A member that does not start with a string: the classic parser reads a value first. */
  readonly keyMustBeString: boolean;
  /**
   * After a message outgrows a limit: the classic streamer starts afresh with the next token (so
   * the rest of the message costs more errors); 11.1 drops the rest of that message silently,
   * up to where its brackets close or a lexical error.
   */
  readonly dropRestAfterLimit: boolean;
}

export const CLASSIC: JsonErrorStyle = {
  located: false,
  missingColon: 'missing : in object pair',
  dictSeparator: 'expected separator in dict',
  listSeparator: 'expected separator in list',
  keyMustBeString: false,
  dropRestAfterLimit: false,
};

const LOCATED: JsonErrorStyle = {
  located: true,
  missingColon: "expecting ':'",
  dictSeparator: "expected ',' or '}'",
  listSeparator: "expected ',' or ']'",
  keyMustBeString: true,
  dropRestAfterLimit: true,
};

const ERROR_STYLE: ReadonlyArray<{ readonly since: string; readonly value: JsonErrorStyle }> = [
  { since: '5.1', value: CLASSIC },
  { since: '11.1', value: LOCATED },
];

export const jsonErrorStyle = (r: Release): JsonErrorStyle => valueAt(r, ERROR_STYLE) ?? CLASSIC;

/** An error's text in a style: `JSON parse error, ...`, placed at `token` where the style says so. */
export function jsonParseError(style: JsonErrorStyle, token: JsonToken | undefined, message: string): string {
  const text = `JSON parse error, ${message}`;
  return style.located && token ? `${token.line}:${token.column}: ${text}` : text;
}

/** Thrown to unwind to parseJsonTokens; not an Error, as a stack trace would cost more than the parse. */
class ParseError {
  constructor(readonly message: string) {}
}

const SPACE = Buffer.from(' ');

/** parse_error formats into a 1024-byte buffer, so a long message is cut to 1023 bytes. */
const PARSE_ERROR_BUFFER = 1024;

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

function parseString(bytes: Uint8Array, fail: (message: string) => never): string {
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

class Parser {
  #at = 0;
  /** The last token taken: where 11.1 places an error found after it. */
  #last: JsonToken | undefined;

  constructor(
    readonly tokens: readonly JsonToken[],
    readonly style: JsonErrorStyle,
  ) {}

  fail(token: JsonToken | undefined, message: string): never {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- ParseError unwinds to the parser's own catch, which needs no stack
    throw new ParseError(jsonParseError(this.style, token, message.slice(0, PARSE_ERROR_BUFFER - 1)));
  }

  peek(): JsonToken | undefined {
    return this.tokens[this.#at];
  }

  pop(): JsonToken | undefined {
    const token = this.tokens[this.#at++];
    if (token) this.#last = token;
    return token;
  }

  value(): QObject {
    const token = this.peek();
    if (!token) return this.fail(undefined, 'premature EOI');
    switch (token.type) {
      case 'lcurly':
        return this.object();
      case 'lsquare':
        return this.array();
      case 'string':
        this.pop();
        return parseString(token.bytes, (message) => this.fail(token, message));
      case 'integer':
        this.pop();
        return parseInteger(ascii(token.bytes));
      case 'float':
        this.pop();
        return new QNumber({ kind: 'double', value: Number(ascii(token.bytes)) });
      case 'keyword': {
        this.pop();
        const word = ascii(token.bytes);
        if (Object.hasOwn(KEYWORDS, word)) return KEYWORDS[word]!;
        return this.fail(token, `invalid keyword '${word}'`);
      }
      default:
        return this.fail(token, 'expecting value');
    }
  }

  pair(dict: QDict): void {
    const first = this.peek();
    if (!first) this.fail(undefined, 'premature EOI');
    if (this.style.keyMustBeString && first.type !== 'string') this.fail(first, 'expecting key');
    const key = this.value();
    if (typeof key !== 'string') this.fail(first, 'key is not a string in object');
    const colon = this.pop();
    if (!colon) this.fail(undefined, 'premature EOI');
    if (colon.type !== 'colon') this.fail(colon, this.style.missingColon);
    const value = this.value();
    if (dict.has(key)) this.fail(this.#last, 'duplicate key');
    dict.put(key, value);
  }

  object(): QDict {
    this.pop();
    const dict = new QDict();
    const peek = this.peek();
    if (!peek) this.fail(undefined, 'premature EOI');
    if (peek.type === 'rcurly') {
      this.pop();
      return dict;
    }
    this.pair(dict);
    for (;;) {
      const token = this.pop();
      if (!token) this.fail(undefined, 'premature EOI');
      if (token.type === 'rcurly') return dict;
      if (token.type !== 'comma') this.fail(token, this.style.dictSeparator);
      this.pair(dict);
    }
  }

  array(): QObject[] {
    this.pop();
    const list: QObject[] = [];
    const peek = this.peek();
    if (!peek) this.fail(undefined, 'premature EOI');
    if (peek.type === 'rsquare') {
      this.pop();
      return list;
    }
    list.push(this.value());
    for (;;) {
      const token = this.pop();
      if (!token) this.fail(undefined, 'premature EOI');
      if (token.type === 'rsquare') return list;
      if (token.type !== 'comma') this.fail(token, this.style.listSeparator);
      list.push(this.value());
    }
  }
}

const KEYWORDS: Readonly<Record<string, QObject>> = { true: true, false: false, null: null };

/** One message's tokens, as the streamer hands them over (balanced or clearly unbalanced). */
export function parseJsonTokens(tokens: readonly JsonToken[], style: JsonErrorStyle): JsonMessage {
  try {
    const value = new Parser(tokens, style).value();
    const source = Buffer.concat(tokens.flatMap((t, i) => (i === 0 ? [t.bytes] : [SPACE, t.bytes]))).toString('utf8');
    return { kind: 'value', value, source };
  } catch (e) {
    if (e instanceof ParseError) return { kind: 'error', desc: e.message };
    throw e;
  }
}
