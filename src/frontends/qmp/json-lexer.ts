/**
 * QMP's JSON lexer as QEMU's qobject/json-lexer.c reads bytes: RFC 8259 tokens plus
 * single-quoted strings and the \' escape; any byte below 0x20 (even inside a string) or 0xFE/0xFF
 * is a lexical error. After an error the lexer skips to the next structural character, control
 * character or 0xFE/0xFF, so a bad line costs one error and the stream goes on. A token longer
 * than 64 MiB is handed on unfinished (the streamer rejects it) and lexing restarts.
 */

export type JsonTokenType =
  'lcurly' | 'rcurly' | 'lsquare' | 'rsquare' | 'colon' | 'comma' | 'integer' | 'float' | 'keyword' | 'string' | 'error' | 'oversized';

export interface JsonToken {
  readonly type: JsonTokenType;
  readonly bytes: Uint8Array;
  /**
   * Where the token starts as QEMU 11.1 counts it for its error prefix: 1-based line and byte
   * column since the connection opened. The count restarts at the byte after the one that ended
   * the previous token, so a token read from the same byte (a lookahead, a resync) is one
   * column to the right.
   */
  readonly line: number;
  readonly column: number;
}

/** json-lexer.c's MAX_TOKEN_SIZE. */
export const MAX_TOKEN_SIZE = 64 * 1024 * 1024;

const enum S {
  Start,
  Recovery,
  DqString,
  DqEscape,
  SqString,
  SqEscape,
  Zero,
  Sign,
  Digits,
  Mantissa,
  MantissaDigits,
  ExpE,
  ExpSign,
  ExpDigits,
  Keyword,
}

/** What a byte does in a state: go on, finish a token (with the byte, or before it), or fail. */
type Step = { readonly to: S } | { readonly emit: JsonTokenType; readonly lookahead: boolean } | { readonly error: true } | { readonly resync: true };

const go = (to: S): Step => ({ to });
const emit = (type: JsonTokenType, lookahead = false): Step => ({ emit: type, lookahead });
const ERROR: Step = { error: true };
/** Recovery ends before this byte, which is read again from the start state. */
const RESYNC: Step = { resync: true };

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const STRUCTURAL: Readonly<Record<number, JsonTokenType>> = { 0x7b: 'lcurly', 0x7d: 'rcurly', 0x5b: 'lsquare', 0x5d: 'rsquare', 0x3a: 'colon', 0x2c: 'comma' };
const isWhitespace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

function step(state: S, b: number): Step {
  switch (state) {
    case S.Start: {
      const structural = STRUCTURAL[b];
      if (structural) return emit(structural);
      if (isWhitespace(b)) return go(S.Start);
      if (b === 0x22) return go(S.DqString);
      if (b === 0x27) return go(S.SqString);
      if (b === 0x30) return go(S.Zero);
      if (b >= 0x31 && b <= 0x39) return go(S.Digits);
      if (b === 0x2d) return go(S.Sign);
      if (b >= 0x61 && b <= 0x7a) return go(S.Keyword);
      return ERROR;
    }
    case S.Recovery:
      if (b === 0x09 || (b >= 0x20 && b <= 0xfd && STRUCTURAL[b] === undefined)) return go(S.Recovery);
      return RESYNC;
    case S.DqString:
      if (b === 0x5c) return go(S.DqEscape);
      if (b === 0x22) return emit('string');
      return b >= 0x20 && b <= 0xfd ? go(S.DqString) : ERROR;
    case S.DqEscape:
      return b >= 0x20 && b <= 0xfd ? go(S.DqString) : ERROR;
    case S.SqString:
      if (b === 0x5c) return go(S.SqEscape);
      if (b === 0x27) return emit('string');
      return b >= 0x20 && b <= 0xfd ? go(S.SqString) : ERROR;
    case S.SqEscape:
      return b >= 0x20 && b <= 0xfd ? go(S.SqString) : ERROR;
    case S.Zero:
      if (isDigit(b)) return ERROR;
      if (b === 0x2e) return go(S.Mantissa);
      return emit('integer', true);
    case S.Sign:
      if (b === 0x30) return go(S.Zero);
      return b >= 0x31 && b <= 0x39 ? go(S.Digits) : ERROR;
    case S.Digits:
      if (isDigit(b)) return go(S.Digits);
      if (b === 0x65 || b === 0x45) return go(S.ExpE);
      if (b === 0x2e) return go(S.Mantissa);
      return emit('integer', true);
    case S.Mantissa:
      return isDigit(b) ? go(S.MantissaDigits) : ERROR;
    case S.MantissaDigits:
      if (isDigit(b)) return go(S.MantissaDigits);
      if (b === 0x65 || b === 0x45) return go(S.ExpE);
      return emit('float', true);
    case S.ExpE:
      if (b === 0x2d || b === 0x2b) return go(S.ExpSign);
      return isDigit(b) ? go(S.ExpDigits) : ERROR;
    case S.ExpSign:
      return isDigit(b) ? go(S.ExpDigits) : ERROR;
    case S.ExpDigits:
      return isDigit(b) ? go(S.ExpDigits) : emit('float', true);
    case S.Keyword:
      return b >= 0x61 && b <= 0x7a ? go(S.Keyword) : emit('keyword', true);
  }
}

/**
 * Steps by (state, byte), each computed when first met: the lexer runs on every byte of every
 * message, and a conversation meets a few dozen of the 15 x 256 pairs, so filling the whole table
 * up front cost a `hotmem qemu` start more than lexing its input.
 */
const STATES = 15;
const TABLE: (Step | undefined)[] = new Array<Step | undefined>(STATES * 256);

const stepAt = (state: S, b: number): Step => (TABLE[state * 256 + b] ??= step(state, b));

export class JsonLexer {
  #state = S.Start;
  #token = new Uint8Array(64);
  #length = 0;
  /** The byte being read: 1-based column, 0-based line ('\n' counts as column 0 of the next line). */
  #x = 0;
  #y = 0;
  #startLine = 1;
  #startColumn = 1;

  constructor(readonly onToken: (token: JsonToken) => void) {}

  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.#feedByte(bytes[i]!);
  }

  #feedByte(b: number): void {
    this.#x++;
    if (b === 0x0a) {
      this.#x = 0;
      this.#y++;
    }
    for (;;) {
      const s = stepAt(this.#state, b);
      if ('to' in s) {
        this.#state = s.to;
        if (s.to === S.Start || s.to === S.Recovery) this.#restart();
        else this.#append(b);
        break;
      }
      if ('resync' in s) {
        this.#state = S.Start;
        this.#restart();
        continue;
      }
      if ('error' in s) {
        this.#append(b);
        this.#finish('error');
        this.#state = S.Recovery;
        return;
      }
      if (!s.lookahead) this.#append(b);
      this.#finish(s.emit);
      this.#state = S.Start;
      if (!s.lookahead) break;
    }
    if (this.#length > MAX_TOKEN_SIZE) {
      this.#finish('oversized');
      this.#state = S.Start;
    }
  }

  #append(b: number): void {
    if (this.#length === this.#token.length) {
      const grown = new Uint8Array(this.#token.length * 2);
      grown.set(this.#token);
      this.#token = grown;
    }
    this.#token[this.#length++] = b;
  }

  #finish(type: JsonTokenType): void {
    const bytes = this.#token.slice(0, this.#length);
    const token = { type, bytes, line: this.#startLine, column: this.#startColumn };
    this.#restart();
    this.onToken(token);
  }

  /** The token so far is dropped or done: the next one starts after this byte. */
  #restart(): void {
    this.#length = 0;
    this.#startLine = this.#y + 1;
    this.#startColumn = this.#x + 1;
  }
}
