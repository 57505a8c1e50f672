/**
 * A QMP client for a monitor on a unix socket: hotmem's own `hotmem qemu` or a real QEMU. It
 * negotiates capabilities, sends commands one reply at a time in order, and keeps the events it
 * receives, so scripts and tests can drive a pair of processes through a migration.
 */
import { connect, type Socket } from 'node:net';

export type QmpReply = { readonly return: unknown } | { readonly error: { readonly class: string; readonly desc: string } };

export interface QmpClientEvent {
  readonly event: string;
  readonly data?: unknown;
  readonly timestamp: { readonly seconds: number; readonly microseconds: number };
}

export class QmpClient {
  readonly events: QmpClientEvent[] = [];
  readonly #waiting: Array<(reply: QmpReply) => void> = [];
  readonly #listeners = new Set<(event: QmpClientEvent) => void>();
  #buffer = '';
  #closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#receive(chunk));
    socket.on('close', () => {
      this.#closed = true;
      // A monitor that went away answers nothing more; waiting commands learn it here.
      for (const resolve of this.#waiting.splice(0)) resolve({ error: { class: 'GenericError', desc: 'the monitor closed the connection' } });
    });
    socket.on('error', () => undefined);
  }

  /** Connects to the monitor at `path` and negotiates capabilities. */
  static async connect(path: string): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const client = new QmpClient(socket);
    // The greeting is neither a reply nor an event: the first reply is qmp_capabilities'.
    const negotiated = await client.execute('qmp_capabilities');
    if ('error' in negotiated) throw new Error(`QMP negotiation failed: ${negotiated.error.desc}`);
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  execute(command: string, args?: Readonly<Record<string, unknown>>): Promise<QmpReply> {
    if (this.#closed) return Promise.resolve({ error: { class: 'GenericError', desc: 'the monitor closed the connection' } });
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    });
  }

  /** Resolves with the first event (already received or still to come) that `accept` takes, or undefined after `timeoutMs`. */
  waitForEvent(accept: (event: QmpClientEvent) => boolean, timeoutMs = 10_000): Promise<QmpClientEvent | undefined> {
    const seen = this.events.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (event: QmpClientEvent) => {
        if (!accept(event)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        resolve(undefined);
      }, timeoutMs);
      this.#listeners.add(listener);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, end).trim();
      this.#buffer = this.#buffer.slice(end + 1);
      if (line === '') continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      if ('event' in message) {
        const event = message as unknown as QmpClientEvent;
        this.events.push(event);
        for (const listener of [...this.#listeners]) listener(event);
      } else if ('return' in message || 'error' in message) {
        this.#waiting.shift()?.(message as QmpReply);
      }
    }
  }
}
