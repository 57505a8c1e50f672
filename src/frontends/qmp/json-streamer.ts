/**
 * QEMU's qobject/json-streamer.c: groups the lexer's tokens into messages by counting braces and
 * brackets, and hands each complete (or clearly broken) message to the parser. A lexical error,
 * or a message that outgrows QEMU's limits, ends the message with one error; the counts restart
 * with the next token, so a long bad input can cost several errors, as it does in QEMU.
 */
import { decodeCString } from './mod-utf8.js';
import { JsonLexer, MAX_TOKEN_SIZE, type JsonToken } from './json-lexer.js';
import { jsonParseError, parseJsonTokens, type JsonErrorStyle } from './json-parser.js';
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
  /** The rest of a message that outgrew a limit is being dropped (JsonErrorStyle.dropRestAfterLimit). */
  #dropping = false;

  constructor(
    /** The release's wording (jsonErrorStyle). */
    readonly style: JsonErrorStyle,
    readonly onMessage: (message: JsonMessage) => void,
  ) {
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
        if (this.#dropping) this.#reset();
        else this.#emit({ kind: 'error', desc: jsonParseError(this.style, token, `stray '${decodeCString(token.bytes)}'`) });
        return;
      default:
        break;
    }
    if (this.#dropping) {
      if (!this.#open()) this.#reset();
      return;
    }
    // The limits bound what one message can make QEMU allocate and how deep it can recurse.
    const limit =
      this.#tokenSize + token.bytes.length + 1 > MAX_TOKEN_SIZE
        ? 'JSON token size limit exceeded'
        : this.#tokens.length + 1 > MAX_TOKEN_COUNT
          ? 'JSON token count limit exceeded'
          : this.#braces + this.#brackets > MAX_NESTING
            ? 'JSON nesting depth limit exceeded'
            : undefined;
    if (limit) {
      const open = { braces: this.#braces, brackets: this.#brackets };
      this.#emit({ kind: 'error', desc: limit });
      if (this.style.dropRestAfterLimit && (open.braces > 0 || open.brackets > 0)) {
        this.#dropping = true;
        this.#braces = open.braces;
        this.#brackets = open.brackets;
      }
      return;
    }
    this.#tokens.push(token);
    this.#tokenSize += token.bytes.length;
    if (this.#open()) return;
    this.#emit(parseJsonTokens(this.#tokens, this.style));
  }

  /** The message's brackets are still open: more tokens belong to it. */
  #open(): boolean {
    return (this.#braces > 0 || this.#brackets > 0) && this.#braces >= 0 && this.#brackets >= 0;
  }

  #emit(message: JsonMessage): void {
    this.#reset();
    this.onMessage(message);
  }

  #reset(): void {
    this.#tokens = [];
    this.#tokenSize = 0;
    this.#braces = 0;
    this.#brackets = 0;
    this.#dropping = false;
  }
}
