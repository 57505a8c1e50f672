/**
 * Turns QEMU options into what a Machine is started from, parsing each option as the QEMU
 * release does (keyval for -machine and -device, QemuOpts for -m, -object, -numa, -global and the
 * options of option-syntax.ts) and recognising the help requests that make QEMU print and exit
 * before creating anything. An option of the release that hotmem neither models nor knows to be
 * inert is refused by name, never ignored.
 */
import type { Arch } from '../../core/arch.js';
import { parseOptions, optionValue, type ParsedOptions } from '../../core/parse/options.js';
import { HotmemError, type Warning } from '../../core/errors.js';
import { parseScalar } from '../../core/parse/input-visitor.js';
import { compareReleases, releaseName, type Release } from '../../core/release.js';
import {
  checkAudiodev,
  checkMachinePropertyMembers,
  checkMachinePropertyOption,
  checkRtc,
  checkSandbox,
  checkUuid,
  machinePropertyOptions,
} from './inert-options.js';
import { checkCpu } from './cpu-option.js';
import { parseJsonOption } from './json-option.js';
import { BlockGraph, parseBlockdev } from './blockdev.js';
import type { BackendIds } from '../../qom/backend-refs.js';
import { NO_FILES, type HostFiles } from '../../host/files.js';
import { overcommitMemLock, realtimeMemLock, REALTIME_DEPRECATED } from './mem-lock.js';
import { hasObjectSchema } from './object-option.js';
import { checkMonitorObject, hasMonitorObject, Monitors, monWarnings, type QmpChannel } from './monitors.js';
import { parseQemuOpts, qemuOption, servesTarget } from './option-syntax.js';
import type { Accelerator, MemLock, OptionProps, StartupItem } from '../../machine/machine.js';
import type { CpuOption } from '../../machine/x86-cpu.js';
import { parseGlobalOption } from '../../qom/globals.js';
import { CommandLineError, type CommandLineOption, type OptionWarning } from './parse-argv.js';

export type { QmpChannel };

/** What QEMU prints and exits for, before any machine exists. */
export type HelpRequest =
  | { readonly kind: 'machine-list' }
  | { readonly kind: 'device-list'; readonly location: string }
  | { readonly kind: 'device'; readonly driver: string; readonly location: string }
  | { readonly kind: 'object'; readonly type: string; readonly id: string | undefined; readonly location: string };

export interface Invocation {
  readonly help: HelpRequest | undefined;
  readonly machine: string | undefined;
  readonly machineProps: OptionProps;
  /** The -smp members (and, where smp is a machine property, -machine smp.X), in order. */
  readonly smp: OptionProps;
  readonly accel: Accelerator | undefined;
  /** -cpu: the model and its properties. */
  readonly cpu: CpuOption | undefined;
  /** -mem-prealloc: memory backends preallocate by default. */
  readonly memPrealloc: boolean;
  /** -overcommit mem-lock (and -realtime mlock): how the process locks its memory. */
  readonly memLock: MemLock;
  /** -mem-path: the file or directory the machine's RAM is mapped from (the last one given). */
  readonly memPath: string | undefined;
  readonly memory: string | undefined;
  readonly memoryLocation: string | undefined;
  /** The first -machine option that names a type (QemuOpts merges the others into it). */
  readonly machineLocation: string | undefined;
  readonly globals: readonly string[];
  readonly items: readonly StartupItem[];
  /** The QMP monitors: -qmp/-qmp-pretty, and -mon mode=control on a listening socket chardev. */
  readonly qmp: readonly QmpChannel[];
  /** The backends -blockdev, -chardev and -audiodev created, which devices name (no -netdev is modelled). */
  readonly backends: BackendIds;
  /** -msg timestamp=on: from this option on, every report starts with the time. */
  readonly timestamps: boolean;
  /** The first failure QEMU reports once the machine type is known (see StartupOptions). */
  readonly optionFailure: { readonly error: HotmemError; readonly location: string | undefined } | undefined;
  /** -S: the guest does not start running. */
  readonly startPaused: boolean;
  readonly incoming: IncomingRequest | undefined;
  /** -nodefaults: QEMU adds no default VGA and NIC (which otherwise take the first PCI slots). */
  readonly nodefaults: boolean;
  /** -vga std or none: whether the default VGA is there (the last -vga wins), unless -nodefaults. */
  readonly vga: boolean | undefined;
  /** -nic none or -net none: no default NIC (QEMU's default_net), unless -nodefaults took it already. */
  readonly nicNone: boolean;
  /** -pidfile: where the process writes its pid. */
  readonly pidfile: string | undefined;
  /** -name guest=: the VM's name (the -name options merge; the last guest= wins). */
  readonly vmName: string | undefined;
  /** -uuid: the last one given. */
  readonly uuid: string | undefined;
  /** -append: the guest kernel's command line, which a modelled guest (--guest) reads. */
  readonly append: string | undefined;
  /** Warnings QEMU prints while parsing options (deprecated short-form booleans). */
  readonly warnings: readonly OptionWarning[];
}

const ACCELERATORS: readonly string[] = ['tcg', 'kvm'];

/** configure_accelerators reports this after option parsing, so without a location. */
function accelerator(name: string): Accelerator {
  if (!ACCELERATORS.includes(name)) throw new CommandLineError(`invalid accelerator ${name}`, undefined);
  return name as Accelerator;
}

function props(options: ParsedOptions, skip: readonly string[]): OptionProps {
  return options.entries.filter((e) => !skip.includes(e.key)).map((e) => ({ name: e.key, value: e.value }));
}

function last(options: ParsedOptions, key: string): string | undefined {
  return options.entries.filter((e) => e.key === key).at(-1)?.value;
}

/** -incoming: listen at start-up for a URI (checked once the machine exists), or wait for migrate-incoming. */
export type IncomingRequest = { readonly kind: 'defer' } | { readonly kind: 'uri'; readonly uri: string; readonly location: string };

/** Checks an -object option as QEMU does at parse time; throws with QEMU's message. */
export type ObjectOptionCheck = (type: string, id: string | undefined, props: OptionProps) => void;

/** The binary whose options these are. */
export interface OptionTarget {
  readonly release: Release;
  readonly arch: Arch;
}

/**
 * When QEMU reports a failure it finds after reading its options: the early backends (-object
 * secrets, chardevs) and -rtc, then the -blockdev nodes, then what the machine and the monitors
 * take (-smp/-boot as machine properties from 6.0, -cpu, -mon). Real 5.2 and 10.0 agree.
 */
type FailureStage = 'early' | 'blockdev' | 'late';
const FAILURE_STAGES: readonly FailureStage[] = ['early', 'blockdev', 'late'];

/**
 * `objectCreationLocated`: the release reports an object's creation errors at its -object option.
 * `files`: the host's files, which -blockdev opens, a file chardev writes and a client socket
 * chardev connects to.
 */
export function buildInvocation(
  options: readonly CommandLineOption[],
  target: OptionTarget,
  checkObject?: ObjectOptionCheck,
  objectCreationLocated = false,
  files: HostFiles = NO_FILES,
): Invocation {
  let help: HelpRequest | undefined;
  let machine: string | undefined;
  const machineProps: { name: string; value: string }[] = [];
  const smp: { name: string; value: string }[] = [];
  let accel: Accelerator | undefined;
  const memoryEntries = new Map<string, string>();
  let memoryLocation: string | undefined;
  let machineLocation: string | undefined;
  const globals: string[] = [];
  const items: StartupItem[] = [];
  /** JSON -device options: qemu_create_cli_devices creates them after every QemuOpts one. */
  const jsonDevices: StartupItem[] = [];
  const warnings: OptionWarning[] = [];
  let startPaused = false;
  let incoming: IncomingRequest | undefined;
  let nodefaults = false;
  let vga: boolean | undefined;
  let nicNone = false;
  let pidfile: string | undefined;
  let vmName: string | undefined;
  let uuid: string | undefined;
  let cpu: CpuOption | undefined;
  let memPrealloc = false;
  let memLock: MemLock = 'off';
  let memPath: string | undefined;
  let append: string | undefined;
  const noteWarnings = (parsed: ParsedOptions, location: string) => warnings.push(...parsed.warnings.map((w) => ({ ...w, location })));
  const monitors = new Monitors(target.release, files);
  const optsIds = new Map<string, Set<string>>();
  /** What QEMU reports once the machine type is known: the first of the earliest stage. */
  const failures = new Map<FailureStage, NonNullable<Invocation['optionFailure']>>();
  const later = (error: HotmemError | undefined, location: string | undefined, stage: FailureStage = 'early') => {
    if (error && !failures.has(stage)) failures.set(stage, { error, location });
  };
  const blockGraph = new BlockGraph(files, target.release);
  const deviceIds = new Set<string>();
  const audiodevs = new Set<string>();
  let timestamps = false;
  let monWarned = false;

  for (const option of options) {
    const before = warnings.length;
    const stamped = timestamps;
    try {
      handle(option);
      for (let i = before; i < warnings.length; i++) warnings[i] = { ...warnings[i]!, timestamped: stamped };
    } catch (e) {
      if (e instanceof CommandLineError) throw e.timestamped(timestamps);
      if (e instanceof HotmemError) throw new CommandLineError(e.message, option.location, warnings).timestamped(timestamps);
      throw e;
    }
  }

  function qemuOpts(name: string, arg: string, location: string): ParsedOptions {
    const seen = optsIds.get(name) ?? new Set<string>();
    optsIds.set(name, seen);
    const parsed = parseQemuOpts(name, arg, target.release, seen);
    noteWarnings(parsed, location);
    if (parsed.helpRequested) throw new CommandLineError(`hotmem prints no help for -${name}`, location, warnings);
    return parsed;
  }

  function handle(option: CommandLineOption): void {
    const arg = option.arg ?? '';
    const location = option.location;
    // The second pass checks each option's target before acting on it.
    if (!servesTarget(qemuOption(option.name, target.release)!, target.arch))
      throw new CommandLineError('Option not supported for this target', location, warnings);
    switch (option.name) {
      case 'machine':
      case 'M': {
        const parsed = parseOptions(arg, 'type');
        if (parsed.helpRequested || last(parsed, 'type') === 'help') {
          help ??= { kind: 'machine-list' };
          break;
        }
        machine = last(parsed, 'type') ?? machine;
        if (last(parsed, 'type') !== undefined) machineLocation ??= location;
        const accelName = last(parsed, 'accel');
        if (accelName !== undefined) accel = accelerator(accelName);
        const given = props(parsed, ['type', 'accel']);
        // smp.X are the members of the machine's smp property, checked and merged with -smp's.
        const smpMembers = machinePropertyOptions(target.release)
          ? given.filter((p) => p.name.startsWith('smp.')).map((p) => ({ name: p.name.slice('smp.'.length), value: p.value }))
          : [];
        if (smpMembers.length > 0) later(checkMachinePropertyMembers('smp', smpMembers, target.release), undefined, 'late');
        smp.push(...smpMembers);
        machineProps.push(...given.filter((p) => smpMembers.length === 0 || !p.name.startsWith('smp.')));
        break;
      }
      case 'accel': {
        const parsed = parseOptions(arg, 'accel');
        accel = accelerator(last(parsed, 'accel') ?? '');
        break;
      }
      case 'enable-kvm':
        accel = 'kvm';
        break;
      case 'm': {
        const parsed = parseOptions(arg, 'size');
        // The "memory" group merges: later -m options add to or override earlier keys.
        for (const entry of parsed.entries) memoryEntries.set(entry.key, entry.value);
        memoryLocation = location;
        break;
      }
      case 'smp':
      case 'boot': {
        if (!machinePropertyOptions(target.release)) {
          const parsed = qemuOpts(option.name, arg, location);
          if (option.name === 'smp') smp.push(...props(parsed, ['id']));
          break;
        }
        const checked = checkMachinePropertyOption(option.name, arg, target.release);
        later(checked.error, undefined, 'late');
        if (option.name === 'smp') smp.push(...checked.members);
        break;
      }
      case 'name':
        vmName = optionValue(qemuOpts(option.name, arg, location), 'guest') ?? vmName;
        break;
      case 'action':
        qemuOpts(option.name, arg, location);
        break;
      case 'uuid':
        checkUuid(arg);
        uuid = arg;
        break;
      case 'cpu': {
        // The last -cpu wins, as QEMU keeps one cpu_option.
        const checked = checkCpu(arg, target.release, target.arch);
        cpu = checked.option;
        later(checked.error, undefined, 'late');
        break;
      }
      case 'rtc':
        later(checkRtc(qemuOpts(option.name, arg, location)), undefined);
        break;
      case 'sandbox':
        checkSandbox(qemuOpts(option.name, arg, location));
        break;
      case 'overcommit':
        memLock = overcommitMemLock(qemuOpts(option.name, arg, location), memLock, target.release);
        break;
      case 'realtime':
        warnings.push({ ...REALTIME_DEPRECATED, location });
        memLock = realtimeMemLock(qemuOpts(option.name, arg, location), memLock, target.release);
        break;
      case 'msg': {
        const parsed = qemuOpts(option.name, arg, location);
        if (
          optionValue(parsed, 'guest-name') !== undefined &&
          parseScalar({ kind: 'bool' }, 'guest-name', optionValue(parsed, 'guest-name')!, 'opts', target.release).value
        ) {
          throw new CommandLineError('hotmem does not model -msg guest-name=on', location, warnings);
        }
        const stamp = optionValue(parsed, 'timestamp');
        if (stamp !== undefined) timestamps = parseScalar({ kind: 'bool' }, 'timestamp', stamp, 'opts', target.release).value === true;
        break;
      }
      case 'chardev': {
        // The syntax is checked here; the backend when it is created, at its option's location.
        const parsed = qemuOpts(option.name, arg, location);
        later(
          creationError(() => monitors.chardev(parsed, location)),
          location,
        );
        break;
      }
      case 'mon': {
        // Said once, at the first -mon (warn_report_once).
        if (!monWarned) warnings.push(...monWarnings(target.release).map((w) => ({ ...w, location })));
        monWarned = true;
        const parsed = qemuOpts(option.name, arg, location);
        later(
          creationError(() => warnings.push(...monitors.mon(parsed).map((w) => ({ ...w, location })))),
          location,
          'late',
        );
        break;
      }
      case 'daemonize':
        throw new CommandLineError(
          'hotmem does not model -daemonize: it runs in the foreground, as a management layer that waits for the monitor expects',
          location,
          warnings,
        );
      case 'serial':
      case 'parallel':
        // A port on a chardev that exists, or none: nothing of it is modelled.
        if (arg !== 'none' && !(arg.startsWith('chardev:') && monitors.has(arg.slice('chardev:'.length)))) {
          throw new CommandLineError(`hotmem models -${option.name} none or chardev:ID of a -chardev before it only`, location, warnings);
        }
        break;
      case 'vga':
        // The default VGA, or none (which QEMU takes as -nodefaults does for the VGA).
        if (arg !== 'std' && arg !== 'none') throw new CommandLineError(`hotmem models -vga std or none only (got '${arg}')`, location, warnings);
        vga = arg === 'std';
        break;
      case 'nic':
      case 'net':
        // Any -nic or -net clears QEMU's default NIC; `none` adds no other.
        if (arg !== 'none') throw new CommandLineError(`hotmem models -${option.name} none only (got '${arg}')`, location, warnings);
        nicNone = true;
        break;
      case 'audiodev':
        audiodevs.add(checkAudiodev(arg));
        break;
      case 'pidfile':
        pidfile = arg;
        break;
      case 'kernel':
      case 'initrd':
        // The guest is modelled (--guest), not loaded: the files are not read.
        break;
      case 'mem-prealloc':
        memPrealloc = true;
        break;
      case 'mem-path':
        memPath = arg;
        break;
      case 'append':
        append = arg;
        break;
      case 'no-shutdown':
      case 'no-reboot':
        // What a guest's shutdown or reboot does is not modelled (a modelled guest does neither).
        break;
      case 'numa':
        items.push({ kind: 'numa', text: arg, location });
        break;
      case 'object': {
        const parsed = arg.startsWith('{') && hasObjectSchema(target.release) ? jsonObject(arg) : parseOptions(arg, 'qom-type');
        noteWarnings(parsed, location);
        const type = last(parsed, 'qom-type');
        if (type === undefined) throw new CommandLineError("Parameter 'qom-type' is missing", location);
        if (parsed.helpRequested || type === 'help') {
          help ??= { kind: 'object', type, id: last(parsed, 'id'), location };
          break;
        }
        const objectProps = props(parsed, ['qom-type', 'id']);
        if (type === 'monitor-qmp' && hasMonitorObject(target.release)) {
          const id = last(parsed, 'id');
          if (id === undefined) throw new CommandLineError("Parameter 'id' is missing", location, warnings);
          checkMonitorObject(objectProps, target.release);
          later(
            creationError(() => monitors.qmpObject(id, objectProps)),
            undefined,
            'late',
          );
          items.push({ kind: 'monitor', type, id, props: objectProps, objectOption: true });
          break;
        }
        try {
          checkObject?.(type, last(parsed, 'id'), objectProps);
        } catch (e) {
          // Before 6.0 these are creation errors, reported once the machine type is known.
          if (objectCreationLocated && e instanceof HotmemError) later(e, location);
          else throw new CommandLineError((e as Error).message, location, warnings);
        }
        // Created later, outside the option's location: QEMU reports creation errors without it
        // from 6.0 on.
        items.push({ kind: 'object', type, id: last(parsed, 'id'), props: objectProps, ...(objectCreationLocated ? { location } : {}) });
        break;
      }
      case 'device': {
        // 6.2 let -device take JSON (vl.c: an argument starting with '{'); before, QemuOpts reads
        // it, and the text up to the first comma is the driver's name.
        if (arg.startsWith('{') && compareReleases(target.release, { major: 6, minor: 2 }) >= 0) {
          jsonDevices.push(jsonDevice(arg, location));
          break;
        }
        const parsed = parseOptions(arg, 'driver');
        noteWarnings(parsed, location);
        const driver = last(parsed, 'driver');
        if (driver === 'help' || (parsed.helpRequested && driver === undefined)) {
          help ??= { kind: 'device-list', location };
          break;
        }
        if (parsed.helpRequested && driver !== undefined) {
          help ??= { kind: 'device', driver, location };
          break;
        }
        // The "device" QemuOpts list claims each id while the options are read.
        const deviceId = last(parsed, 'id');
        if (deviceId !== undefined) {
          if (deviceIds.has(deviceId)) throw new CommandLineError(`Duplicate ID '${deviceId}' for device`, location, warnings);
          deviceIds.add(deviceId);
        }
        items.push({ kind: 'device', driver, id: deviceId, bus: last(parsed, 'bus'), props: props(parsed, ['driver', 'id', 'bus']), location });
        break;
      }
      case 'blockdev': {
        const request = parseBlockdev(arg, target.release, target.arch);
        // Opened once the early backends exist, unless one of them failed; a node that fails stops QEMU there.
        if (!failures.has('early') && !failures.has('blockdev')) {
          try {
            blockGraph.open(request, (w) => warnings.push({ ...w, location }));
          } catch (e) {
            if (!(e instanceof HotmemError)) throw e;
            later(e, location, 'blockdev');
          }
        }
        break;
      }
      case 'global': {
        let parsed: ReturnType<typeof parseGlobalOption>;
        try {
          parsed = parseGlobalOption(arg, target.release);
        } catch (e) {
          const shortForm = (e as { details?: { warnings?: readonly Warning[] } }).details?.warnings ?? [];
          warnings.push(...shortForm.map((w) => ({ ...w, location })));
          throw new CommandLineError((e as Error).message, location, warnings);
        }
        warnings.push(...parsed.warnings.map((w) => ({ ...w, location })));
        globals.push(arg);
        break;
      }
      case 'qmp':
      case 'qmp-pretty':
        monitors.compat('control', arg, option.name === 'qmp-pretty', location);
        break;
      case 'monitor':
        monitors.compat('readline', arg, false, location);
        break;
      case 'S':
        startPaused = true;
        break;
      case 'incoming':
        incoming = arg === 'defer' ? { kind: 'defer' } : { kind: 'uri', uri: arg, location };
        break;
      case 'display':
        if (arg !== 'none') throw new CommandLineError(`hotmem models no display: use -display none (got '${arg}')`, location);
        break;
      case 'nodefaults':
        nodefaults = true;
        break;
      case 'nographic':
      case 'no-user-config':
        // The serial, monitor and config-file defaults they change are not modelled.
        break;
      default:
        throw new CommandLineError(`hotmem does not model -${option.name} (QEMU ${releaseName(target.release)} accepts it)`, location, warnings);
    }
  }
  const made = monitors.finish();
  if (hasMonitorObject(target.release)) items.push(...made.objects.map((m) => ({ kind: 'monitor' as const, ...m, objectOption: false })));
  const optionFailure = FAILURE_STAGES.map((stage) => failures.get(stage)).find((f) => f !== undefined);
  const memory = memoryEntries.size === 0 ? undefined : [...memoryEntries].map(([k, v]) => `${k}=${v.replaceAll(',', ',,')}`).join(',');
  return {
    help,
    machine,
    machineProps,
    smp,
    accel,
    cpu,
    memPrealloc,
    memLock,
    memPath,
    memory,
    memoryLocation,
    machineLocation,
    globals,
    items: [...items, ...jsonDevices],
    qmp: made.channels,
    backends: {
      ids: { block: blockGraph.nodeNames, chardev: monitors.chardevIds, netdev: new Set(), audiodev: audiodevs },
      heldChardevs: monitors.held,
    },
    timestamps,
    optionFailure,
    startPaused,
    incoming,
    nodefaults,
    vga,
    nicNone,
    pidfile,
    vmName,
    uuid,
    append,
    warnings,
  };
}

/**
 * `-object {"qom-type": ...}` (6.0+), as the key=value entries the -object path checks: strings as
 * written, numbers in decimal, booleans as on/off, lists of numbers as host-nodes holds them (`1:2:3`).
 * QEMU checks the JSON types with the QObject input visitor; hotmem checks the values as text.
 */
function jsonObject(arg: string): ParsedOptions {
  const entries = Object.entries(parseJsonOption(arg)).map(([key, value]) => ({ key, value: jsonText(key, value) }));
  return { entries, helpRequested: false, warnings: [] };
}

function jsonText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.join(':');
  throw new HotmemError('cmdline.object-json', `hotmem does not model the JSON value of '${key}' (${JSON.stringify(value)})`);
}

/** The HotmemError a step throws, or undefined when it succeeds. */
function creationError(step: () => void): HotmemError | undefined {
  try {
    step();
    return undefined;
  } catch (e) {
    if (e instanceof HotmemError && !(e instanceof CommandLineError)) return e;
    throw e;
  }
}

/** `-device {"driver": ...}` (6.2+): the JSON form of -device. */
function jsonDevice(arg: string, location: string): StartupItem {
  const entries = Object.entries(parseJsonOption(arg));
  const get = (key: string) => {
    const value = entries.find(([k]) => k === key)?.[1];
    // qdev_device_add_from_qdict reads driver, id and bus with qdict_get_try_str: a non-string is absent.
    return typeof value === 'string' ? value : undefined;
  };
  return {
    kind: 'device',
    driver: get('driver'),
    id: get('id'),
    bus: get('bus'),
    // JSON keeps its types: the plain QObject input visitor checks them as QMP does.
    props: entries.filter(([k]) => !['driver', 'id', 'bus'].includes(k)).map(([name, json]) => ({ name, json })),
    location,
  };
}
