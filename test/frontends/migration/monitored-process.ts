/**
 * A QEMU-like process under a QMP monitor on a unix socket (`-qmp unix:PATH,server=on,wait=off`),
 * either real qemu-system-x86_64 or `hotmem qemu`: the same driver runs a migration script
 * against both, so their transcripts can be compared line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/core/package-root.js';
import { QmpClient, type QmpReply } from '../../../src/frontends/qmp/client.js';

export interface SeenEvent {
  readonly event: string;
  readonly data?: unknown;
}

/** hotmem's command line as a program: node and the built CLI. */
export function hotmemProgram(release: string): readonly string[] {
  return [process.execPath, join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), 'qemu', '--qemu-version', release];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MonitoredProcess {
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly client: QmpClient,
    /** Everything the process wrote to stderr so far. */
    readonly stderrSoFar: () => string,
  ) {
    this.exited = new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
  }

  /** Starts `program args -qmp unix:<qmp>,server=on,wait=off` and connects to its monitor. */
  static async start(program: readonly string[], args: readonly string[], qmp: string): Promise<MonitoredProcess> {
    const child = spawn(program[0]!, [...program.slice(1), ...args, '-qmp', `unix:${qmp},server=on,wait=off`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`${program.join(' ')} exited ${child.exitCode}: ${stderr}`);
      if (existsSync(qmp)) {
        const client = await QmpClient.connect(qmp).catch(() => undefined);
        if (client) return new MonitoredProcess(child, client, () => stderr);
      }
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error(`${program.join(' ')}: no QMP socket at ${qmp}: ${stderr}`);
  }

  get events(): readonly SeenEvent[] {
    return this.client.events.map((e) => ({ event: e.event, ...('data' in e ? { data: e.data } : {}) }));
  }

  execute(command: string, args?: Record<string, unknown>): Promise<QmpReply> {
    return this.client.execute(command, args);
  }

  /** Waits until `accept` holds for the events seen, or the time is up. */
  async until(accept: (events: readonly SeenEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!accept(this.events) && Date.now() < deadline) await sleep(20);
  }

  /** stderr without the line a terminating signal makes (QEMU names the sender's pid there). */
  stderr(): string {
    return this.stderrSoFar().replace(/^.*: terminating on signal \d+.*\n/gm, '');
  }

  async stop(): Promise<number | null> {
    this.client.close();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
