/**
 * What two hotmem processes say over a migration socket, one JSON text per line. The
 * destination speaks first (its recipe, as it stands when the source connects, with its monitor
 * held so that it stays so); the source models the migration and answers with its own recipe and
 * the options; the destination models it too and reports what it saw, so that each side can
 * check the other reached the same outcome.
 */
import type { Socket } from 'node:net';
import { optionsProblem, recipeProblem, type PeerMigrationOptions, type ProcessRecipe } from './recipe.js';

export type WireMessage =
  | { readonly type: 'welcome'; readonly hotmem: string; readonly recipe: ProcessRecipe }
  | { readonly type: 'go'; readonly hotmem: string; readonly recipe: ProcessRecipe; readonly options: PeerMigrationOptions; readonly digest: string }
  /** The source could not model the migration; the destination's incoming migration fails. */
  | { readonly type: 'abort'; readonly reason: string }
  | { readonly type: 'done'; readonly digest: string };

/** Checks a received message's shape; returns what is wrong, or undefined. */
export function messageProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'a message is not a JSON object';
  const msg = m as Record<string, unknown>;
  switch (msg['type']) {
    case 'welcome':
      return typeof msg['hotmem'] !== 'string' ? 'welcome.hotmem is not a string' : recipeProblem(msg['recipe'], 'welcome.recipe');
    case 'go':
      if (typeof msg['hotmem'] !== 'string') return 'go.hotmem is not a string';
      if (typeof msg['digest'] !== 'string') return 'go.digest is not a string';
      return recipeProblem(msg['recipe'], 'go.recipe') ?? optionsProblem(msg['options'], 'go.options');
    case 'abort':
      return typeof msg['reason'] !== 'string' ? 'abort.reason is not a string' : undefined;
    case 'done':
      return typeof msg['digest'] !== 'string' ? 'done.digest is not a string' : undefined;
    default:
      return `unknown message type ${JSON.stringify(msg['type'])}`;
  }
}

/** A migration socket: messages in, messages out, and one callback when it breaks or closes. */
export class Wire {
  /** The incomplete last line received. */
  #partial = '';
  #closed = false;

  constructor(
    readonly socket: Socket,
    onMessage: (message: WireMessage) => void,
    onProblem: (problem: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop()!;
      for (const text of lines) {
        if (this.#closed) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          this.#fail(onProblem, `not JSON: ${(e as Error).message}`);
          return;
        }
        const problem = messageProblem(parsed);
        if (problem) {
          this.#fail(onProblem, problem);
          return;
        }
        onMessage(parsed as WireMessage);
      }
    });
    socket.on('error', (e) => this.#fail(onProblem, e.message));
    socket.on('close', () => this.#fail(onProblem, 'the peer closed the connection'));
  }

  send(message: WireMessage): void {
    if (!this.#closed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends what is queued, then closes both directions: a peer that never hangs up keeps nothing open here. */
  close(): void {
    this.#closed = true;
    this.socket.destroySoon();
  }

  #fail(onProblem: (problem: string) => void, problem: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
    onProblem(problem);
  }
}
