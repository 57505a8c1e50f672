/**
 * Migration scripts run against a pair of processes (two real QEMUs, or two `hotmem qemu`s):
 * each returns what both monitors said, with the figures that only a real guest's RAM decides
 * (bytes sent, times) reduced to their shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QmpReply } from '../../../src/frontends/qmp/client.js';
import { MonitoredProcess, type SeenEvent } from './monitored-process.js';

export interface SideTranscript {
  readonly replies: readonly unknown[];
  readonly events: readonly SeenEvent[];
  readonly stderr: string;
  readonly exit: number | null;
}

export interface PairTranscript {
  readonly source: SideTranscript;
  readonly destination: SideTranscript;
}

export interface Scenario {
  readonly name: string;
  readonly sourceArgs: readonly string[];
  /** `{sock}` stands for the migration socket's path, `{port}` for a free TCP port. */
  readonly destinationArgs: readonly string[];
  run(pair: Pair): Promise<void>;
}

/** Source and destination with their recorded replies. */
export class Pair {
  readonly sourceReplies: unknown[] = [];
  readonly destinationReplies: unknown[] = [];

  constructor(
    readonly source: MonitoredProcess,
    readonly destination: MonitoredProcess,
    readonly sock: string,
    readonly port: number,
  ) {}

  async src(command: string, args?: Record<string, unknown>): Promise<QmpReply> {
    const reply = await this.source.execute(command, args);
    this.sourceReplies.push(shape(command, reply));
    return reply;
  }

  async dst(command: string, args?: Record<string, unknown>): Promise<QmpReply> {
    const reply = await this.destination.execute(command, args);
    this.destinationReplies.push(shape(command, reply));
    return reply;
  }

  /** Until the source's migration has ended (query-migrate says so). */
  async sourceSettled(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const reply = await this.source.execute('query-migrate');
      const status = 'return' in reply ? (reply.return as { status?: string }).status : undefined;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** query-migrate's figures depend on the guest's RAM and the wall clock: keep their names only. */
function shape(command: string, reply: QmpReply): unknown {
  if (command !== 'query-migrate' || !('return' in reply)) return reply;
  const info = { ...(reply.return as Record<string, unknown>) };
  for (const k of ['setup-time', 'total-time', 'downtime', 'expected-downtime']) if (k in info) info[k] = '<ms>';
  if (info['ram']) info['ram'] = Object.keys(info['ram']).sort();
  return { return: info };
}

const events = (list: readonly SeenEvent[]) => list.map((e) => ({ ...e }));

/**
 * Runs `scenario` on two processes of `program`, or, with `destinationProgram`, the destination
 * on another (a second release: a cross-release pair).
 */
export async function runScenario(program: readonly string[], scenario: Scenario, destinationProgram: readonly string[] = program): Promise<PairTranscript> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-mig-'));
  const sock = join(dir, 'mig.sock');
  const port = await freePort();
  const fill = (args: readonly string[]) => args.map((a) => a.replaceAll('{sock}', sock).replaceAll('{port}', String(port)));
  const destination = await MonitoredProcess.start(destinationProgram, fill(scenario.destinationArgs), join(dir, 'dst.qmp'));
  const source = await MonitoredProcess.start(program, fill(scenario.sourceArgs), join(dir, 'src.qmp'));
  const pair = new Pair(source, destination, sock, port);
  let exits: [number | null, number | null];
  try {
    await scenario.run(pair);
    // Events that follow the last reply (a destination's RESUME) get a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    exits = [await source.stop(), await destination.stop()];
    rmSync(dir, { recursive: true, force: true });
  }
  // The socket lives in a fresh directory each run.
  const anonymous = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll(sock, '<sock>').replaceAll(String(port), '<port>')) as T;
  const side = (p: MonitoredProcess, replies: unknown[], exit: number | null): SideTranscript =>
    anonymous({ replies, events: events(p.events), stderr: p.stderr(), exit });
  return { source: side(source, pair.sourceReplies, exits[0]), destination: side(destination, pair.destinationReplies, exits[1]) };
}

/** A TCP port nobody listens on now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
