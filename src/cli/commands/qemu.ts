import { constants } from 'node:os';
import { formatReport } from '../../frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../frontends/qmp/commands/index.js';
import { serveStream, serveUnixSocket } from '../../frontends/qmp/server.js';
import type { Arch } from '../../core/arch.js';
import { releaseName } from '../../core/release.js';
import { kernelProfile } from '../../host/kernel.js';
import { parseArgs } from '../args.js';
import { BINARY_OPTIONS, qemuBinary } from '../binary.js';
import { UsageError, type Command } from '../command.js';
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

export const qemuCommand: Command = {
  name: 'qemu',
  summary: 'behave as qemu-system-<arch> of a release would with the same arguments (with a QMP server)',
  usage: [
    'Usage: hotmem qemu [--qemu-version X.Y] [--arch x86_64|s390x] [--host-arch x86_64|s390x]',
    '                   [--host-kernel linux-X.Y] [--guest linux-X.Y] [--link-bandwidth BYTES_PER_SECOND]',
    '                   <QEMU arguments>',
    '',
    'Accepts -machine/-M (accel=, memory-backend=), -m, -smp, -numa, -object, -device, -global,',
    '-accel, -enable-kvm, -nodefaults, -nographic, -S, -display none, help requests,',
    '-incoming unix:PATH | tcp:HOST:PORT | defer, and -qmp stdio | unix:PATH,server=on,wait=off.',
    'Errors and warnings are printed as QEMU prints them, and the exit status is QEMU\'s. Without',
    '-qmp (or -incoming), hotmem exits 0 once the machine started.',
    '--host-kernel: the host the process runs on (default linux-6.1).',
    '--host-arch: the host\'s architecture when it is not --arch\'s (qemu-system-s390x under TCG on',
    'an x86_64 host): page and THP sizes (virtio-mem\'s default block size) come from the host.',
    '--guest attaches a modelled Linux guest (where QEMU would boot one with -kernel); after each',
    'QMP command it runs in simulated time until idle, so polling clients see where it converges.',
    '--link-bandwidth: the network between this host and a migration peer (default 10 GbE).',
    'QMP `migrate` to another `hotmem qemu -incoming` process: both model the migration, each on',
    'its own host, and report it as QEMU\'s two sides would.',
    '',
  ].join('\n'),
  async run(args, io) {
    const { own, qemu } = splitArgs(args);
    const options = parseArgs(own, OWN_OPTIONS).options;
    const binary = qemuBinary(options);
    const hostKernel = (options.get('host-kernel') as string | undefined) ?? 'linux-6.1';
    try {
      kernelProfile(hostKernel);
    } catch (e) {
      throw new UsageError(`--host-kernel: ${(e as Error).message}`);
    }
    const linkBandwidth = Number(options.get('link-bandwidth') ?? DEFAULT_LINK_BANDWIDTH);
    if (!(linkBandwidth > 0)) throw new UsageError('--link-bandwidth must be a positive number of bytes per second');
    let exitWith: (status: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitWith = resolve));
    const started = QemuProcess.start(
      { qemuVersion: releaseName(binary.release), arch: binary.arch, hostArch: (options.get('host-arch') as Arch | undefined) ?? binary.arch, hostKernel, guest: options.get('guest') as string | undefined, argv: qemu },
      { io, linkBandwidth, exit: (status) => exitWith(status) },
    );
    if (started.kind === 'exited') return started.status;
    const process = started.process;
    const incoming = process.incoming;
    if (incoming) {
      try {
        await process.migration!.listenAtStartup(incoming);
      } catch (e) {
        const location = process.invocation.incoming?.kind === 'uri' ? process.invocation.incoming.location : undefined;
        io.err(formatReport(binary.arch, location, (e as Error).message));
        return 1;
      }
    }
    const closers: Array<() => void> = [];
    const servers = process.invocation.qmp.map((channel) => {
      if (channel.kind === 'stdio') {
        if (!io.stdin || !io.stdout) throw new Error('internal: -qmp stdio needs the process streams');
        return serveStream(process.ctx, QMP_COMMANDS, io.stdin, io.stdout, channel.pretty);
      }
      const served = serveUnixSocket(process.ctx, QMP_COMMANDS, channel.path, channel.pretty);
      closers.push(served.close);
      return served.done;
    });
    // The machine runs until a client quits or the process ends; with neither a monitor nor an
    // incoming migration there is nothing left to model.
    if (servers.length === 0 && !process.invocation.incoming) return 0;
    // qemu_system_killed: a signal shuts the VM down (SHUTDOWN to the monitors) and QEMU exits 0.
    const onSignal = (signal: NodeJS.Signals) => {
      process.machine.events.emit('SHUTDOWN', { guest: false, reason: 'host-signal' });
      io.err(formatReport(binary.arch, undefined, `terminating on signal ${constants.signals[signal]}`));
      exitWith(0);
    };
    for (const signal of TERMINATING_SIGNALS) globalThis.process.on(signal, onSignal);
    const status = await Promise.race([...servers.map(async (s) => (await s, 0)), exited]);
    for (const signal of TERMINATING_SIGNALS) globalThis.process.off(signal, onSignal);
    for (const close of closers) close();
    process.migration?.close();
    io.stdin?.pause();
    return status;
  },
};
