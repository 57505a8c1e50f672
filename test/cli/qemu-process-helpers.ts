/**
 * Live `hotmem qemu` processes inside the test process: each has its own machine, monitor and
 * migration channel on real unix sockets, with what it printed and the status it exited with.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import type { ProcessSpec } from '../../src/frontends/migration/recipe.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession, type QmpMessage } from '../../src/frontends/qmp/session.js';

export const SMALL_Q35 = ['-nodefaults', '-display', 'none', '-M', 'pc-q35-7.2', '-m', '128M,maxmem=1G,slots=2'];

export interface LiveProcess {
  readonly process: QemuProcess;
  readonly stderr: string[];
  readonly exits: number[];
  /** Events the monitor sent, by name (with data where there is some). */
  readonly events: QmpMessage[];
  qmp(command: string, args?: Record<string, unknown>): QmpMessage;
}

export function tempSocket(name = 'mig.sock'): string {
  return join(mkdtempSync(join(tmpdir(), 'hotmem-live-')), name);
}

export function spec(argv: readonly string[], more: Partial<ProcessSpec> = {}): ProcessSpec {
  const arch = more.arch ?? 'x86_64';
  return { qemuVersion: '7.2', arch, hostArch: arch, hostKernel: 'linux-6.1', guest: undefined, argv, ...more };
}

export function startLive(s: ProcessSpec, linkBandwidth = 1.25e9): LiveProcess {
  const stderr: string[] = [];
  const exits: number[] = [];
  const started = QemuProcess.start(s, { io: { out: () => undefined, err: (t) => stderr.push(t) }, linkBandwidth, exit: (status) => exits.push(status) });
  if (started.kind !== 'running') throw new Error(`did not start: ${stderr.join('')}`);
  return monitor(started.process, stderr, exits);
}

/** A monitor session on a process (live or replica) that answers synchronously. */
export function monitor(process: QemuProcess, stderr: string[] = [], exits: number[] = []): LiveProcess {
  const events: QmpMessage[] = [];
  let replies: QmpMessage[] = [];
  const session = new QmpSession(process.ctx, QMP_COMMANDS, (m) => ('event' in m ? events.push(m) : replies.push(m)));
  session.handle('{"execute":"qmp_capabilities"}');
  return {
    process,
    stderr,
    exits,
    events,
    qmp(command, args) {
      replies = [];
      session.handle(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) }));
      return replies[0]!;
    },
  };
}

/** Waits (in real time: the peers talk over sockets) until `done` holds. */
export async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The source's query-migrate status once it is no longer setting up. */
export async function settled(source: LiveProcess): Promise<string> {
  let status = '';
  await until(() => {
    status = (source.qmp('query-migrate')['return'] as { status?: string }).status ?? 'none';
    return status !== 'setup';
  });
  return status;
}
