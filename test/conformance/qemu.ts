/**
 * Runs real QEMU for conformance tests (a binary from real-qemu.ts): once with arguments, or
 * under a QMP session. Tests compare hotmem's answers with what these return.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a QEMU process ended: an exit code, or the signal that killed it. */
export interface QemuExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface QemuRun extends QemuExit {
  readonly stdout: string;
  readonly stderr: string;
  /** The run outlived its timeout and was killed (signal SIGKILL). */
  readonly timedOut: boolean;
}

export interface QemuVersion {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
  /** The distribution's package version in parentheses, e.g. "Debian 1:7.2+dfsg-7+deb12u18+b3". */
  readonly package: string | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** A start-up's outcome: its stderr, and its exit status, 0 when it came up (then quit over QMP). */
export interface StartupRun {
  readonly status: number | null;
  readonly stderr: string;
}

/**
 * Starts the binary as far as it gets: one that comes up is quit over a `-qmp stdio` monitor at
 * once, rather than waited on until a timeout says it is running.
 */
export function realStartup(binary: string, args: readonly string[]): StartupRun {
  const run = spawnSync(binary, [...args, '-qmp', 'stdio'], {
    input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n',
    encoding: 'utf8',
    timeout: DEFAULT_TIMEOUT_MS,
  });
  if (run.error) throw run.error;
  return { status: run.status, stderr: run.stderr };
}

/**
 * JSON.parse, keeping integers past 2^53 exact as bigints (as hotmem's QMP session hands them
 * over): QEMU writes 64-bit integers digit for digit, and a double would round them.
 */
export function parseQmpLine(line: string): unknown {
  const marked = line.replace(/"(?:[^"\\]|\\.)*"|(-?\d{16,})(?![.eE\d])/g, (match, digits: string | undefined) =>
    digits === undefined ? match : `"\\u0000${digits}"`,
  );
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith('\u0000')) return value;
    const exact = BigInt(value.slice(1));
    return exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER) ? exact : Number(exact);
  });
}

/** Runs the binary to completion (or to the timeout), capturing both output streams. */
export function runQemu(
  binary: string,
  args: readonly string[],
  options: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

const VERSION_LINE = /^QEMU emulator version (\d+)\.(\d+)\.(\d+)(?: \((.*)\))?$/m;

/** The version `<binary> --version` reports. */
export async function qemuVersion(binary: string): Promise<QemuVersion> {
  const run = await runQemu(binary, ['--version']);
  const match = VERSION_LINE.exec(run.stdout);
  if (run.code !== 0 || !match) throw new Error(`${binary} --version: unexpected output ${JSON.stringify(run.stdout + run.stderr)}`);
  return { major: Number(match[1]), minor: Number(match[2]), micro: Number(match[3]), package: match[4] ?? null };
}

/** A QMP error reply ({"error": {"class", "desc"}}), thrown by QmpSession.execute. */
export class QmpError extends Error {
  override readonly name = 'QmpError';

  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`${command}: ${errorClass}: ${desc}`);
  }
}

export interface QmpGreeting {
  readonly version: {
    readonly qemu: { readonly major: number; readonly minor: number; readonly micro: number };
    readonly package: string;
  };
  readonly capabilities: readonly string[];
}

export interface QmpEvent {
  readonly event: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly timestamp: { readonly seconds: number; readonly microseconds: number };
}

type QmpMessage =
  | { readonly QMP: QmpGreeting }
  | QmpEvent
  | { readonly id: number; readonly return: unknown }
  | { readonly id: number; readonly error: { readonly class: string; readonly desc: string } };

interface Pending {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface QmpSessionOptions {
  /** Start with -S (CPUs stopped, "prelaunch"); default true. */
  readonly paused?: boolean;
  /** Limit for starting up and for each command's reply; default 10 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Read replies with integers past 2^53 exact (bigints, see parseQmpLine); default: as doubles. */
  readonly exactIntegers?: boolean;
}

/**
 * QEMU under a QMP monitor. hotmem listens on a unix socket in a fresh temporary directory and
 * QEMU connects to it as a socket chardev client, so there is nothing to poll for; stdout stays
 * free for whatever else the test routes there (e.g. -serial stdio).
 */
export class QmpSession {
  readonly #child: ChildProcess;
  readonly #socket: Socket;
  readonly #server: Server;
  readonly #dir: string;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #events: QmpEvent[] = [];
  readonly #eventWaiters = new Set<(event: QmpEvent) => boolean>();
  /** Events nextEvent() has handed out, so each is handed out once. */
  readonly #handedOut = new Set<QmpEvent>();
  readonly #exited: Promise<QemuExit>;
  #stderr = '';
  #stdout = '';
  #buffer = '';
  #nextId = 1;
  readonly #parse: (line: string) => unknown;

  private constructor(
    readonly greeting: QmpGreeting,
    init: {
      child: ChildProcess;
      socket: Socket;
      server: Server;
      dir: string;
      timeoutMs: number;
      exited: Promise<QemuExit>;
      output: { stdout: string; stderr: string };
      leftover: string;
      exactIntegers: boolean;
    },
  ) {
    this.#parse = init.exactIntegers ? parseQmpLine : (line) => JSON.parse(line) as unknown;
    this.#child = init.child;
    this.#socket = init.socket;
    this.#server = init.server;
    this.#dir = init.dir;
    this.#timeoutMs = init.timeoutMs;
    this.#exited = init.exited;
    this.#stdout = init.output.stdout;
    this.#stderr = init.output.stderr;
    this.#child.stdout?.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString('utf8')));
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
    this.#socket.on('data', (chunk: Buffer) => this.#receive(chunk.toString('utf8')));
    // QEMU resets the connection when it exits; pending commands learn of it from the exit.
    this.#socket.on('error', () => undefined);
    void this.#exited.then((exit) => this.#failAll(new Error(`QEMU exited (${describeExit(exit)}): ${this.#stderr.trim()}`)));
    this.#receive(init.leftover);
  }

  /** The QEMU process's pid (the roots' wrappers exec chroot, which execs QEMU: one pid). */
  get pid(): number {
    if (this.#child.pid === undefined) throw new Error('QEMU was not spawned');
    return this.#child.pid;
  }

  /**
   * Starts `<binary> -display none -nodefaults [-S] <args>` with a QMP monitor, reads the greeting
   * and negotiates capabilities (qmp_capabilities), so the session is in command mode.
   */
  static async start(binary: string, args: readonly string[], options: QmpSessionOptions = {}): Promise<QmpSession> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const dir = mkdtempSync(join(tmpdir(), 'hotmem-qmp-'));
    const path = join(dir, 'qmp.sock');
    const server = createServer();
    const cleanup = (): void => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const child = spawn(
      binary,
      [
        // QEMU's option syntax doubles a literal comma. -qmp (a client of our socket) rather than
        // -chardev + -mon, which 11.1 deprecates with a warning on stderr.
        '-qmp',
        `unix:${path.replaceAll(',', ',,')}`,
        '-display',
        'none',
        '-nodefaults',
        ...(options.paused === false ? [] : ['-S']),
        ...args,
      ],
      { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = { stdout: '', stderr: '' };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => (output[stream] += chunk.toString('utf8'));
    const onStdout = collect('stdout');
    const onStderr = collect('stderr');
    child.stdout.on('data', onStdout);
    child.stderr.on('data', onStderr);
    let spawnError: Error | undefined;
    const exited = new Promise<QemuExit>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      // A binary that cannot be spawned emits 'error' and never 'exit'.
      child.on('error', (err) => {
        spawnError = err;
        resolve({ code: null, signal: null });
      });
    });
    let greetingText = '';
    let socket: Socket | undefined;
    try {
      socket = await withTimeout(
        Promise.race([
          new Promise<Socket>((resolve) => server.once('connection', resolve)),
          exited.then((exit) =>
            Promise.reject(spawnError ?? new Error(`QEMU exited before connecting its QMP monitor (${describeExit(exit)}): ${output.stderr.trim()}`)),
          ),
        ]),
        timeoutMs,
        'QEMU did not connect its QMP monitor',
      );
      const connected = socket;
      connected.on('error', () => undefined);
      const line = await withTimeout(
        new Promise<string>((resolve, reject) => {
          const onData = (chunk: Buffer): void => {
            greetingText += chunk.toString('utf8');
            const end = greetingText.indexOf('\n');
            if (end >= 0) {
              connected.off('data', onData);
              resolve(greetingText.slice(0, end));
              greetingText = greetingText.slice(end + 1);
            }
          };
          connected.on('data', onData);
          connected.once('close', () => reject(new Error(`QMP closed before its greeting: ${output.stderr.trim()}`)));
        }),
        timeoutMs,
        'no QMP greeting',
      );
      const greeting = (JSON.parse(line) as { QMP?: QmpGreeting }).QMP;
      if (!greeting) throw new Error(`not a QMP greeting: ${line}`);
      child.stdout.off('data', onStdout);
      child.stderr.off('data', onStderr);
      const session = new QmpSession(greeting, {
        child,
        socket,
        server,
        dir,
        timeoutMs,
        exited,
        output,
        leftover: greetingText,
        exactIntegers: options.exactIntegers === true,
      });
      await session.execute('qmp_capabilities');
      return session;
    } catch (err) {
      socket?.destroy();
      child.kill('SIGKILL');
      await exited;
      cleanup();
      throw err;
    }
  }

  /** Runs a QMP command; resolves with its "return" value, rejects with QmpError on an error reply. */
  execute<T = unknown>(command: string, args?: Readonly<Record<string, unknown>>): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`QMP ${command}: no reply within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer });
      this.#socket.write(`${qmpText({ execute: command, ...(args && { arguments: args }), id })}\n`);
    });
  }

  /** Every event received so far, in arrival order. */
  events(): readonly QmpEvent[] {
    return this.#events;
  }

  /**
   * The next event named `name` (optionally matching `accept`) that no earlier call returned:
   * one already received, or the next to arrive within the timeout.
   */
  nextEvent(name: string, accept: (event: QmpEvent) => boolean = () => true, timeoutMs = this.#timeoutMs): Promise<QmpEvent> {
    const matches = (e: QmpEvent): boolean => e.event === name && !this.#handedOut.has(e) && accept(e);
    const received = this.#events.find(matches);
    if (received) {
      this.#handedOut.add(received);
      return Promise.resolve(received);
    }
    let waiter: ((e: QmpEvent) => boolean) | undefined;
    const arrival = new Promise<QmpEvent>((resolve) => {
      waiter = (e: QmpEvent): boolean => {
        if (!matches(e)) return false;
        this.#handedOut.add(e);
        resolve(e);
        return true;
      };
      this.#eventWaiters.add(waiter);
    });
    return withTimeout(arrival, timeoutMs, `no ${name} event`).finally(() => {
      if (waiter) this.#eventWaiters.delete(waiter);
    });
  }

  /** What QEMU wrote to stderr so far (warnings, errors). */
  stderr(): string {
    return this.#stderr;
  }

  stdout(): string {
    return this.#stdout;
  }

  /** Sends quit and waits for QEMU to exit; kills it if it does not within the timeout. */
  async quit(): Promise<QemuExit> {
    await this.execute('quit').catch(() => undefined);
    return this.#finish();
  }

  /** Kills QEMU (SIGKILL) and cleans up; for tests that end abnormally. */
  async kill(): Promise<QemuExit> {
    this.#child.kill('SIGKILL');
    return this.#finish();
  }

  async #finish(): Promise<QemuExit> {
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#timeoutMs);
    const exit = await this.#exited;
    clearTimeout(timer);
    this.#socket.destroy();
    this.#server.close();
    rmSync(this.#dir, { recursive: true, force: true });
    return exit;
  }

  #receive(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, end).trim();
      this.#buffer = this.#buffer.slice(end + 1);
      if (line !== '') this.#dispatch(this.#parse(line) as QmpMessage);
    }
  }

  #dispatch(message: QmpMessage): void {
    if ('event' in message) {
      this.#events.push(message);
      for (const waiter of this.#eventWaiters) if (waiter(message)) this.#eventWaiters.delete(waiter);
      return;
    }
    if (!('id' in message)) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if ('error' in message) pending.reject(new QmpError(pending.command, message.error.class, message.error.desc));
    else pending.resolve(message.return);
  }

  #failAll(err: Error): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      // quit's reply may race with the exit; the command still did what it was asked.
      if (pending.command === 'quit') pending.resolve({});
      else pending.reject(err);
    }
  }
}

/** JSON text of a QMP request; a bigint member is written as the exact integer (past 2^53). */
export function qmpText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000bigint:${v}` : v)).replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

const describeExit = (exit: QemuExit): string => (exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
