/**
 * `hotmem qemu`: behaves as qemu-system-<arch> of the chosen release would with the same
 * arguments: help output, start-up errors and warnings in QEMU's format and exit statuses, then
 * (with -qmp) a QMP server over the started machine.
 */
import { enumValueMessage } from '../../core/parse/input-visitor.js';
import type { Arch } from '../../core/arch.js';
import { HotmemError, type Warning } from '../../core/errors.js';
import { compareReleases, type Release } from '../../core/release.js';
import { Machine, StartupError, type MachineEnvironment } from '../../machine/machine.js';
import { deviceHelp } from '../../qom/device-help.js';
import { deviceData, noDeviceTable } from '../../qom/device-data/load.js';
import { deviceListHelp, objectOptionsHelp } from '../../qom/help.js';
import { ObjectModel } from '../../qom/object-model.js';
import { buildInvocation, type Invocation } from './invocation.js';
import { checkObjectOption, hasObjectSchema, objectCreationLocated } from './object-option.js';
import type { Host } from '../../host/host.js';
import { realHost, REAL_HOST_FILES } from './host-files.js';
import { incomingAddress, type SocketAddress } from '../migration/uri.js';
import { CommandLineError, parseArgv } from './parse-argv.js';
import { qmpLine } from '../qmp/json.js';
import { qmpGreeting } from '../qmp/session.js';

/** What a QEMU binary of one release and target knows, beyond the type registry. */
export interface QemuBinary {
  readonly release: Release;
  readonly arch: Arch;
  readonly environment: MachineEnvironment;
  /** `-machine help` output. */
  machineHelp(): string;
}

export interface QemuIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The wall clock -msg timestamp=on reads (the process's own when absent). */
  readonly now?: () => Date;
}

/** -msg timestamp=on: each report starts with the time in ISO 8601, to the microsecond, in UTC. */
export function timestamped(io: QemuIo, on = true): QemuIo {
  if (!on) return io;
  const now = io.now ?? (() => new Date());
  return { ...io, err: (text) => io.err(`${now().toISOString().replace(/Z$/, '000Z')} ${text}`) };
}

export type QemuOutcome =
  | { readonly kind: 'exited'; readonly status: number }
  | { readonly kind: 'running'; readonly machine: Machine; readonly invocation: Invocation; readonly incoming: SocketAddress | undefined };

export const programName = (arch: Arch): string => `qemu-system-${arch}`;

/** error_report/warn_report: `<prog>: [<location>: ][warning: ]<message>`; hint lines follow raw. */
export function formatReport(arch: Arch, location: string | undefined, message: string, warning = false): string {
  return `${programName(arch)}: ${location ? `${location}: ` : ''}${warning ? 'warning: ' : ''}${message}\n`;
}

/** Options parse the same in every release; qemu-option warns about short-form booleans from 6.0 on. */
const warnsInRelease = (binary: QemuBinary, w: Warning): boolean =>
  w.code !== 'options.short-form-boolean' || compareReleases(binary.release, { major: 6, minor: 0 }) >= 0;

function printWarnings(
  binary: QemuBinary,
  io: QemuIo,
  warnings: readonly (Warning & { readonly location?: string | undefined; readonly timestamped?: boolean })[],
): void {
  for (const w of warnings.filter((w) => warnsInRelease(binary, w))) {
    timestamped(io, w.timestamped === true).err(formatReport(binary.arch, w.location, w.message, w.reportedAsError !== true));
  }
}

function printHelp(binary: QemuBinary, invocation: Invocation, io: QemuIo): number {
  const help = invocation.help!;
  const model = new ObjectModel(binary.environment.registry, { release: binary.release, target: binary.arch });
  switch (help.kind) {
    case 'machine-list':
      io.out(binary.machineHelp());
      return 0;
    case 'device-list': {
      const data = deviceData(binary.release, binary.arch);
      if (!data) {
        io.err(formatReport(binary.arch, help.location, noDeviceTable(binary.release).message));
        return 1;
      }
      io.out(deviceListHelp(data.listing));
      return 0;
    }
    case 'device': {
      const answer = deviceHelp(model, deviceData(binary.release, binary.arch), help.driver);
      if ('text' in answer) io.out(answer.text);
      else io.err(formatReport(binary.arch, help.location, answer.error));
      return answer.status;
    }
    case 'object':
      if (!model.view.exists(help.type) || !model.view.isA(help.type, 'user-creatable')) {
        // From 6.0 -object is checked against the QAPI schema before help is considered; before,
        // help was only for user-creatable types, and other ones went on to be created.
        const message = hasObjectSchema(binary.release)
          ? enumValueMessage(binary.release, 'qom-type', help.type)
          : creationError(() => checkObjectOption(model.view, help.type, help.id, [], new Set()));
        io.err(formatReport(binary.arch, help.location, message));
        return 1;
      }
      io.out(objectOptionsHelp(model, help.type));
      return 0;
    default: {
      const exhaustive: never = help;
      return exhaustive;
    }
  }
}

/** The message of a check that must fail (a type -object cannot create). */
function creationError(check: () => void): string {
  try {
    check();
  } catch (e) {
    if (e instanceof HotmemError) return e.message;
    throw e;
  }
  throw new Error('internal: an -object of a type that is not user-creatable passed its checks');
}

/** Parses and starts; returns the running machine, or the exit status QEMU would have. */
export function runQemu(binary: QemuBinary, argv: readonly string[], plainIo: QemuIo, host?: Host): QemuOutcome {
  let invocation: Invocation;
  try {
    const view = new ObjectModel(binary.environment.registry, { release: binary.release, target: binary.arch }).view;
    const seenIds = new Set<string>();
    invocation = buildInvocation(
      parseArgv(argv, binary.release),
      { release: binary.release, arch: binary.arch },
      (type, id, props) => checkObjectOption(view, type, id, props, seenIds),
      objectCreationLocated(binary.release),
      host?.files ?? REAL_HOST_FILES,
    );
  } catch (e) {
    if (e instanceof CommandLineError) {
      printWarnings(binary, plainIo, e.warningsBefore);
      timestamped(plainIo, e.timestamps).err(formatReport(binary.arch, e.location, e.message));
      return { kind: 'exited', status: 1 };
    }
    throw e;
  }
  printWarnings(binary, plainIo, invocation.warnings);
  // Everything QEMU reports once its options are parsed follows -msg.
  const io = timestamped(plainIo, invocation.timestamps);
  if (invocation.help) return { kind: 'exited', status: printHelp(binary, invocation, io) };
  try {
    const started = Machine.start(
      {
        release: binary.release,
        arch: binary.arch,
        machine: invocation.machine,
        accel: invocation.accel,
        ...(invocation.cpu ? { cpu: invocation.cpu } : {}),
        memPrealloc: invocation.memPrealloc,
        memLock: invocation.memLock,
        ...(invocation.memPath === undefined ? {} : { memPath: invocation.memPath }),
        machineProps: invocation.machineProps,
        smp: invocation.smp,
        memory: invocation.memory,
        memoryLocation: invocation.memoryLocation,
        machineLocation: invocation.machineLocation,
        globals: invocation.globals,
        items: invocation.items,
        backends: invocation.backends,
        ...(invocation.optionFailure ? { optionFailure: invocation.optionFailure } : {}),
        ...(invocation.nodefaults ? {} : { defaultDevices: { vga: invocation.vga ?? true, nic: !invocation.nicNone } }),
        identity: {
          ...(invocation.vmName === undefined ? {} : { name: invocation.vmName }),
          ...(invocation.uuid === undefined ? {} : { uuid: invocation.uuid }),
        },
        // Without a host given, the process runs on this one, reading its files and taking its
        // huge pages as QEMU would.
        host: host ?? realHost(binary.arch),
      },
      binary.environment,
    );
    for (const notice of started.notices) io.out(`${notice}\n`);
    const machine = started.machine;
    machine.autostart = !invocation.startPaused;
    // Without -S the guest starts at once (vm_start), before any monitor connects; an incoming
    // VM waits for its migration.
    if (invocation.incoming) machine.runState = 'inmigrate';
    else if (machine.autostart) machine.runState = 'running';
    printWarnings(binary, io, started.warnings);
    let incoming: SocketAddress | undefined;
    if (invocation.incoming?.kind === 'uri') {
      // qmp_x_exit_preconfig starts the incoming migration once the machine exists.
      const { uri, location } = invocation.incoming;
      try {
        incoming = incomingAddress(uri);
      } catch (e) {
        io.err(formatReport(binary.arch, location, (e as Error).message));
        return { kind: 'exited', status: 1 };
      }
    }
    return { kind: 'running', machine, invocation, incoming };
  } catch (e) {
    if (e instanceof StartupError) {
      printWarnings(binary, io, e.warningsBefore);
      // A monitor on stdio has greeted by then (see StartupError.greeted).
      if (e.greeted) {
        for (const channel of invocation.qmp) {
          if (channel.kind === 'stdio')
            io.out(qmpLine(qmpGreeting({ major: binary.release.major, minor: binary.release.minor, micro: 0 }), { pretty: channel.pretty }));
        }
      }
      io.err(formatReport(binary.arch, e.location, e.message));
      return { kind: 'exited', status: 1 };
    }
    if (e instanceof HotmemError) {
      io.err(formatReport(binary.arch, undefined, e.message));
      return { kind: 'exited', status: 1 };
    }
    throw e;
  }
}
