/**
 * Host memory figures of a paused QEMU, real and modelled, in x-query-host-memory's names:
 * /proc/PID/status of the real process (which also holds QEMU itself: compare growths between
 * two guest sizes), and hotmem's x-query-host-memory (guest memory only) for the same arguments.
 */
import { readFileSync } from 'node:fs';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { MiB } from '../../src/core/units.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { QmpSession } from './qemu.js';
import { TEST_HOST_ARCH } from './real-qemu.js';

/** x-query-host-memory's members and the /proc/PID/status lines they stand for. */
const STATUS_LINES = { rss: 'VmRSS', 'rss-anon': 'RssAnon', 'rss-file': 'RssFile', 'rss-shmem': 'RssShmem', locked: 'VmLck' } as const;

export type HostFigure = keyof typeof STATUS_LINES;
export type HostFigures = Readonly<Record<HostFigure, number>>;

const statusLine = (text: string, name: string): number => {
  const kib = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1];
  if (kib === undefined) throw new Error(`no ${name} in /proc/PID/status`);
  return Number(kib) * 1024;
};

/**
 * The real QEMU's figures once start-up has populated what it will (mlock and prealloc can run
 * on after the monitor greets): read every 250 ms until VmRSS stays within 1 MiB for three
 * readings (10 s at most).
 */
export async function realFigures(binary: string, args: readonly string[]): Promise<HostFigures> {
  const session = await QmpSession.start(binary, args);
  const read = (): HostFigures => {
    const text = readFileSync(`/proc/${session.pid}/status`, 'utf8');
    return Object.fromEntries(Object.entries(STATUS_LINES).map(([key, line]) => [key, statusLine(text, line)])) as HostFigures;
  };
  try {
    let last = read();
    let steady = 0;
    for (let i = 0; i < 40 && steady < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = read();
      steady = Math.abs(now.rss - last.rss) <= MiB ? steady + 1 : 0;
      last = now;
    }
    return last;
  } finally {
    await session.quit();
  }
}

/** hotmem qemu of `release` with the same arguments: x-query-host-memory. */
export function hotmemFigures(release: string, args: readonly string[]): HostFigures {
  const started = QemuProcess.start(
    { qemuVersion: release, arch: 'x86_64', hostArch: TEST_HOST_ARCH, hostKernel: 'linux-6.1', guest: undefined, argv: args },
    undefined,
  );
  if (started.kind === 'exited') throw new Error(`hotmem exited with ${started.status}`);
  const replies: QmpMessage[] = [];
  const session = new HotmemSession(started.process.ctx, QMP_COMMANDS, (m) => replies.push(m));
  session.handle('{"execute": "qmp_capabilities"}');
  session.handle('{"execute": "x-query-host-memory"}');
  session.close();
  return replies.at(-1)?.['return'] as HostFigures;
}

/** b - a, figure by figure. */
export const growth = (a: HostFigures, b: HostFigures): HostFigures =>
  Object.fromEntries(Object.keys(STATUS_LINES).map((k) => [k, b[k as HostFigure] - a[k as HostFigure]])) as HostFigures;
