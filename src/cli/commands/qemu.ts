import { runQemu } from '../../frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../frontends/qmp/commands/index.js';
import { serveStream, serveUnixSocket } from '../../frontends/qmp/server.js';
import type { QmpContext } from '../../frontends/qmp/session.js';
import { parseArgs } from '../args.js';
import { BINARY_OPTIONS, qemuBinary } from '../binary.js';
import type { Command } from '../command.js';
import { attachLinuxGuest } from '../guest.js';

/** hotmem's own options come first; everything from the first other argument on is QEMU's. */
const OWN_OPTIONS = [...BINARY_OPTIONS, { name: 'guest', takesValue: true }] as const;

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
    'Usage: hotmem qemu [--qemu-version X.Y] [--arch x86_64|s390x] [--guest linux-X.Y] <QEMU arguments>',
    '',
    'Accepts -machine/-M (accel=, memory-backend=), -m, -smp, -numa, -object, -device, -global,',
    '-accel, -enable-kvm, -nodefaults, -nographic, -S, -display none, help requests, and',
    '-qmp stdio | unix:PATH,server=on,wait=off. Errors and warnings are printed as QEMU prints',
    'them, and the exit status is QEMU\'s. Without -qmp, hotmem exits 0 once the machine started.',
    '--guest attaches a modelled Linux guest (where QEMU would boot one with -kernel); after each',
    'QMP command it runs in simulated time until idle, so polling clients see where it converges.',
    '',
  ].join('\n'),
  async run(args, io) {
    const { own, qemu } = splitArgs(args);
    const options = parseArgs(own, OWN_OPTIONS).options;
    const binary = qemuBinary(options);
    const outcome = runQemu(binary, qemu, io);
    if (outcome.kind === 'exited') return outcome.status;
    const guestName = options.get('guest') as string | undefined;
    const guest = guestName === undefined ? undefined : attachLinuxGuest(outcome.machine, { kernel: guestName });
    guest?.settle();
    let quit = false;
    const ctx: QmpContext = {
      machine: outcome.machine,
      version: { major: binary.release.major, minor: binary.release.minor, micro: 0 },
      // After each command the guest runs until idle, so polling clients see converged state.
      settle: () => (guest ? guest.settle() : outcome.machine.scheduler.runUntilIdle()),
      requestQuit: () => (quit = true),
      quitRequested: () => quit,
    };
    const servers = outcome.invocation.qmp.map((channel) => {
      if (channel.kind === 'stdio') {
        if (!io.stdin || !io.stdout) throw new Error('internal: -qmp stdio needs the process streams');
        return serveStream(ctx, QMP_COMMANDS, io.stdin, io.stdout, channel.pretty);
      }
      return serveUnixSocket(ctx, QMP_COMMANDS, channel.path, channel.pretty).done;
    });
    // The machine runs until a client quits; with no monitor there is nothing left to model.
    if (servers.length > 0) await Promise.race(servers);
    return 0;
  },
};
