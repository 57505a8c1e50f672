/**
 * QEMU's qobject/json-streamer.c: groups the lexer's tokens into messages by counting braces and
 * brackets, and hands each complete (or clearly broken) message to the parser. A lexical error,
 * or a message that outgrows QEMU's limits, ends the message with one error; the counts restart
 * with the next token, so a long bad input can cost several errors, as it does in QEMU.
 */
import { decodeCString } from './mod-utf8.js';
import { JsonLexer, MAX_TOKEN_SIZE, type JsonToken } from './json-lexer.js';
import { parseJsonTokens } from './json-parser.js';
import type { QObject } from './qobject.js';

/** json-streamer.c's MAX_TOKEN_COUNT and MAX_NESTING. */
export const MAX_TOKEN_COUNT = 2 * 1024 * 1024;
export const MAX_NESTING = 1024;

/** A parsed message keeps its source (its tokens, space-separated): a replica replays that text. */
export type JsonMessage = { readonly kind: 'value'; readonly value: QObject; readonly source: string } | { readonly kind: 'error'; readonly desc: string };

export class JsonMessageParser {
  readonly #lexer: JsonLexer;
  #tokens: JsonToken[] = [];
  #tokenSize = 0;
  #braces = 0;
  #brackets = 0;

  constructor(readonly onMessage: (message: JsonMessage) => void) {
    this.#lexer = new JsonLexer((token) => this.#token(token));
  }

  feed(bytes: Uint8Array): void {
    this.#lexer.feed(bytes);
  }

  #token(token: JsonToken): void {
    switch (token.type) {
      case 'lcurly':
        this.#braces++;
        break;
      case 'rcurly':
        this.#braces--;
        break;
      case 'lsquare':
        this.#brackets++;
        break;
      case 'rsquare':
        this.#brackets--;
        break;
      case 'error':
        this.#emit({ kind: 'error', desc: `JSON parse error, stray '${decodeCString(token.bytes)}'` });
        return;
      default:
        break;
    }
    // The limits bound what one message can make QEMU allocate and how deep it can recurse.
    if (this.#tokenSize + token.bytes.length + 1 > MAX_TOKEN_SIZE) {
      this.#emit({ kind: 'error', desc: 'JSON token size limit exceeded' });
      return;
    }
    if (this.#tokens.length + 1 > MAX_TOKEN_COUNT) {
      this.#emit({ kind: 'error', desc: 'JSON token count limit exceeded' });
      return;
    }
    if (this.#braces + this.#brackets > MAX_NESTING) {
      this.#emit({ kind: 'error', desc: 'JSON nesting depth limit exceeded' });
      return;
    }
    this.#tokens.push(token);
    this.#tokenSize += token.bytes.length;
    if ((this.#braces > 0 || this.#brackets > 0) && this.#braces >= 0 && this.#brackets >= 0) return;
    this.#emit(parseJsonTokens(this.#tokens));
  }

  #emit(message: JsonMessage): void {
    this.#tokens = [];
    this.#tokenSize = 0;
    this.#braces = 0;
    this.#brackets = 0;
    this.onMessage(message);
  }
}
