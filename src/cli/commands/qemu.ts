import { createReadStream, existsSync, fstatSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { formatReport, timestamped } from '../../frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../frontends/qmp/commands/index.js';
import { serveInput, serveStream, serveUnixSocket } from '../../frontends/qmp/server.js';
import type { Arch } from '../../core/arch.js';
import { compareReleases, releaseName, type Release } from '../../core/release.js';
import { modelledKernelVersion } from '../../host/kernel.js';
import { parseArgs } from '../args.js';
import { BINARY_OPTIONS, qemuBinary } from '../binary.js';
import type { QemuBinary } from '../../frontends/cmdline/qemu.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { QEMU_INFO } from './info.js';
import { QemuProcess } from '../qemu-process.js';

/** hotmem's own options come first; everything from the first other argument on is QEMU's. */
const OWN_OPTIONS = [
  ...BINARY_OPTIONS,
  { name: 'host-kernel', takesValue: true },
  { name: 'host-arch', takesValue: true, choices: ['x86_64', 's390x'] },
  { name: 'guest', takesValue: true },
  { name: 'link-bandwidth', takesValue: true },
] as const;

/** The signals QEMU turns into a shutdown (os_setup_signal_handling). */
const TERMINATING_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** 10 GbE, as `hotmem migrate` assumes. */
const DEFAULT_LINK_BANDWIDTH = 1.25e9;

function splitArgs(args: readonly string[]): { own: string[]; qemu: string[] } {
  const own: string[] = [];
  let i = 0;
  while (i < args.length && OWN_OPTIONS.some((o) => args[i] === `--${o.name}` || args[i]!.startsWith(`--${o.name}=`))) {
    own.push(args[i]!);
    if (!args[i]!.includes('=')) own.push(args[i + 1] ?? '');
    i += args[i]!.includes('=') ? 1 : 2;
  }
  return { own, qemu: args.slice(i) };
}

/** `--batch FILE`: the whole command line; every invocation's arguments come from FILE. */
function batchFile(args: readonly string[]): string | undefined {
  const [first, ...rest] = args;
  const file = first === '--batch' ? rest.shift() : first?.startsWith('--batch=') ? first.slice('--batch='.length) : undefined;
  if (file === undefined) {
    if (args.includes('--batch')) throw new UsageError("--batch FILE comes alone: each line of FILE holds one invocation's arguments");
    return undefined;
  }
  if (file === '') throw new UsageError('--batch needs a file (- for stdin)');
  if (rest.length > 0) throw new UsageError(`--batch FILE comes alone: each line of FILE holds one invocation's arguments (got '${rest[0]!}')`);
  return file;
}

async function runBatchCommand(file: string, io: CliIo): Promise<number> {
  const { recordLine, runBatch, textLines } = await import('../qemu-batch.js');
  let input: Readable;
  if (file === '-') {
    if (!io.stdin) throw new Error('internal: --batch - needs the process stdin');
    input = io.stdin;
  } else {
    if (!existsSync(file)) throw new UsageError(`--batch ${file}: no such file`);
    input = createReadStream(file, 'utf8');
  }
  let bad = 0;
  for await (const outcome of runBatch(textLines(input))) {
    if (outcome.kind === 'ran') {
      io.out(recordLine(outcome.record));
    } else {
      bad++;
      io.out(`${JSON.stringify({ line: outcome.line, error: outcome.error })}\n`);
      io.err(`hotmem qemu --batch ${file}: ${outcome.error}\n`);
    }
  }
  return bad === 0 ? 0 : 1;
}

export const qemuCommand: Command = {
  ...QEMU_INFO,
  async run(args, io) {
    const batch = batchFile(args);
    if (batch !== undefined) return runBatchCommand(batch, io);
    const { own, qemu } = splitArgs(args);
    const options = parseArgs(own, OWN_OPTIONS).options;
    const binary = qemuBinary(options);
    const hostKernel = (options.get('host-kernel') as string | undefined) ?? 'linux-6.1';
    try {
      modelledKernelVersion(hostKernel);
    } catch (e) {
      throw new UsageError(`--host-kernel: ${(e as Error).message}`);
    }
    const linkBandwidth = Number(options.get('link-bandwidth') ?? DEFAULT_LINK_BANDWIDTH);
    if (!(linkBandwidth > 0)) throw new UsageError('--link-bandwidth must be a positive number of bytes per second');
    let exitWith: (status: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitWith = resolve));
    const started = QemuProcess.start(
      {
        qemuVersion: releaseName(binary.release),
        arch: binary.arch,
        hostArch: (options.get('host-arch') as Arch | undefined) ?? binary.arch,
        hostKernel,
        guest: options.get('guest') as string | undefined,
        argv: qemu,
      },
      { io, linkBandwidth, exit: (status) => exitWith(status), ...(io.machines ? { machines: io.machines } : {}) },
    );
    if (started.kind === 'exited') return started.status;
    const process = started.process;
    const pidfile = process.invocation.pidfile;
    if (pidfile !== undefined) {
      const failure = writePidfile(pidfile, binary.release);
      if (failure !== undefined) {
        timestamped(io, process.invocation.timestamps).err(formatReport(binary.arch, undefined, failure));
        return 1;
      }
    }
    try {
      return await serve(process, binary, io, { exited, exitWith });
    } finally {
      // qemu_unlink_pidfile at exit.
      if (pidfile !== undefined) rmSync(pidfile, { force: true });
    }
  },
};

/** -pidfile: the process's pid and a newline (qemu_write_pidfile); QEMU's message when it cannot. */
function writePidfile(path: string, r: Release): string | undefined {
  try {
    writeFileSync(path, `${globalThis.process.pid}\n`);
    return undefined;
  } catch (e) {
    const reason = STRERROR[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;
    // The wording changed with qemu_write_pidfile's rework, first seen in 7.2's binary.
    return compareReleases(r, { major: 7, minor: 2 }) >= 0
      ? `cannot create PID file: Could not create '${path}': ${reason}`
      : `cannot create PID file: Cannot open pid file: ${reason}`;
  }
}

function isSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

/** strerror() of the errors creating a file can give. */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
};

/** Runs the started process's monitors and incoming migration until it ends; its exit status. */
async function serve(
  process: QemuProcess,
  binary: QemuBinary,
  io: CliIo,
  ending: { exited: Promise<number>; exitWith: (status: number) => void },
): Promise<number> {
  const { exited, exitWith } = ending;
  const incoming = process.incoming;
  if (incoming) {
    try {
      await process.migration!.listenAtStartup(incoming);
    } catch (e) {
      const location = process.invocation.incoming?.kind === 'uri' ? process.invocation.incoming.location : undefined;
      timestamped(io, process.invocation.timestamps).err(formatReport(binary.arch, location, (e as Error).message));
      return 1;
    }
  }
  for (const channel of process.invocation.qmp) {
    // The parent passes a listening socket; QEMU checks it when it creates the chardev.
    if (channel.kind === 'fd' && !isSocket(channel.fd)) {
      timestamped(io, process.invocation.timestamps).err(formatReport(binary.arch, channel.location, `File descriptor '${channel.fd}' is not a socket`));
      return 1;
    }
  }
  const closers: Array<() => void> = [];
  const servers = process.invocation.qmp.map((channel) => {
    const ctx = channel.monitorId === undefined ? process.ctx : { ...process.ctx, monitorId: channel.monitorId };
    if (channel.kind === 'stdio') {
      if (io.input) return serveInput(ctx, QMP_COMMANDS, io.input, io.out, channel.pretty);
      if (!io.stdin) throw new Error('internal: -qmp stdio needs the process stdin');
      return serveStream(ctx, QMP_COMMANDS, io.stdin, { write: io.out }, channel.pretty);
    }
    const served = serveUnixSocket(ctx, QMP_COMMANDS, channel.kind === 'unix' ? channel.path : { fd: channel.fd }, channel.pretty);
    closers.push(() => served.close());
    return served.done;
  });
  // The machine runs until a client quits or the process ends; with neither a monitor nor an
  // incoming migration there is nothing left to model.
  if (servers.length === 0 && !process.invocation.incoming) return 0;
  // qemu_system_killed: a signal shuts the VM down (SHUTDOWN to the monitors) and QEMU exits 0.
  const onSignal = (signal: NodeJS.Signals) => {
    process.machine.events.emit('SHUTDOWN', { guest: false, reason: 'host-signal' });
    timestamped(io, process.invocation.timestamps).err(formatReport(binary.arch, undefined, `terminating on signal ${constants.signals[signal]}`));
    exitWith(0);
  };
  const signals = io.processSignals === false ? [] : TERMINATING_SIGNALS;
  for (const signal of signals) globalThis.process.on(signal, onSignal);
  const status = await Promise.race([...servers.map(async (s) => (await s, 0)), exited]);
  for (const signal of signals) globalThis.process.off(signal, onSignal);
  for (const close of closers) close();
  process.migration?.close();
  io.stdin?.pause();
  return status;
}
