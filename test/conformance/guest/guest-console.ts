/**
 * The host end of init.sh's serial-console protocol: writes one request per line to QEMU's
 * stdin (the guest's ttyS0) and collects the `HOTMEM <seq> ...` answers from its stdout. Keeps
 * every console line so a failure can show what the guest last printed.
 */
import type { Readable, Writable } from 'node:stream';
import { parseConsoleLine, parseGuestReport, type ConsoleMessage } from './guest-report.js';
import type { GuestView } from './transcript.js';

export class GuestConsole {
  private readonly lines: string[] = [];
  private readonly messages: ConsoleMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private partial = '';
  private nextSeq = 1;
  private failure: Error | undefined;

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
  }

  /** Makes every pending and future wait fail, e.g. once QEMU has exited. */
  fail(reason: Error): void {
    this.failure ??= reason;
    this.wake();
  }

  /** The last console lines, for error messages. */
  tail(count: number): string[] {
    return [...this.lines, this.partial].filter((l) => l !== '').slice(-count);
  }

  /** Waits for init.sh to load the modules; returns the guest's `uname -r`. */
  async ready(timeoutMs: number): Promise<string> {
    await this.waitFor(() => this.find(0, 'ready') !== undefined, timeoutMs, 'the guest init to start');
    const failed = this.messages.filter((m) => m.seq === 0 && m.kind === 'insmod-failed').map((m) => m.rest);
    if (failed.length > 0) throw new Error(`guest could not load modules: ${failed.join(', ')}`);
    return this.find(0, 'ready')!.rest;
  }

  /** The guest's view, with the kernel log lines after the first `seen`. */
  async report(seen: number, timeoutMs: number): Promise<GuestView> {
    return parseGuestReport(await this.request('report', String(seen), 'end', timeoutMs));
  }

  /** Makes the guest hold `bytes` (whole MiB) of file data; returns the size it reports. */
  async fill(bytes: number, timeoutMs: number): Promise<number> {
    if (bytes % 2 ** 20 !== 0) throw new Error(`guest-fill wants whole MiB, not ${bytes} bytes`);
    const answer = await this.request('fill', String(bytes), 'filled', timeoutMs);
    return Number(answer.at(-1)!.rest);
  }

  private async request(verb: string, arg: string, doneKind: string, timeoutMs: number): Promise<ConsoleMessage[]> {
    const seq = this.nextSeq++;
    this.input.write(`${verb} ${seq} ${arg}\n`);
    await this.waitFor(
      () => this.find(seq, doneKind) !== undefined || this.find(seq, 'unknown-request') !== undefined,
      timeoutMs,
      `the guest to answer '${verb} ${seq} ${arg}'`,
    );
    if (this.find(seq, 'unknown-request')) throw new Error(`guest init does not know the request '${verb}'`);
    return this.messages.filter((m) => m.seq === seq);
  }

  private find(seq: number, kind: string): ConsoleMessage | undefined {
    return this.messages.find((m) => m.seq === seq && m.kind === kind);
  }

  private waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.failure) finish(() => reject(new Error(`while waiting for ${what}: ${this.failure!.message}`)));
        else if (done()) finish(resolve);
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no answer within ${timeoutMs} ms while waiting for ${what}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  private receive(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    for (const raw of parts) {
      const line = raw.replace(/\r/g, '');
      this.lines.push(line);
      const message = parseConsoleLine(line);
      if (message) this.messages.push(message);
    }
    this.wake();
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
