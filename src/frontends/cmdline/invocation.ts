/**
 * Turns QEMU options into what a Machine is started from, parsing each option as the QEMU
 * release does (keyval for -machine and -device, QemuOpts for -m, -object, -numa, -global) and
 * recognising the help requests that make QEMU print and exit before creating anything.
 */
import { parseOptions, splitOptions, type ParsedOptions } from '../../core/parse/options.js';
import type { Warning } from '../../core/errors.js';
import type { Accelerator, OptionProps, StartupItem } from '../../machine/machine.js';
import { parseGlobalOption } from '../../qom/globals.js';
import { CommandLineError, type CommandLineOption } from './parse-argv.js';

/** What QEMU prints and exits for, before any machine exists. */
export type HelpRequest =
  | { readonly kind: 'machine-list' }
  | { readonly kind: 'device-list' }
  | { readonly kind: 'device'; readonly driver: string; readonly location: string }
  | { readonly kind: 'object'; readonly type: string; readonly id: string | undefined; readonly location: string };

/** A -qmp channel: the process's stdio, or a listening unix socket. */
export type QmpChannel = { readonly kind: 'stdio'; readonly pretty: boolean } | { readonly kind: 'unix'; readonly path: string; readonly pretty: boolean };

export interface Invocation {
  readonly help: HelpRequest | undefined;
  readonly machine: string | undefined;
  readonly machineProps: OptionProps;
  readonly accel: Accelerator | undefined;
  readonly memory: string | undefined;
  readonly memoryLocation: string | undefined;
  /** The first -machine option that names a type (QemuOpts merges the others into it). */
  readonly machineLocation: string | undefined;
  readonly globals: readonly string[];
  readonly items: readonly StartupItem[];
  readonly qmp: readonly QmpChannel[];
  /** -S: the guest does not start running. */
  readonly startPaused: boolean;
  readonly incoming: IncomingRequest | undefined;
  /** -nodefaults: QEMU adds no default VGA and NIC (which otherwise take the first PCI slots). */
  readonly nodefaults: boolean;
  /** Warnings QEMU prints while parsing options (deprecated short-form booleans). */
  readonly warnings: ReadonlyArray<Warning & { readonly location: string }>;
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

function qmpChannel(arg: string, pretty: boolean, location: string): QmpChannel {
  if (arg === 'stdio') return { kind: 'stdio', pretty };
  const [target, ...rest] = splitOptions(arg);
  if (target?.startsWith('unix:')) {
    const flags = parseOptions(rest.join(','));
    if (last(flags, 'server') !== 'on' || last(flags, 'wait') !== 'off') {
      throw new CommandLineError(`hotmem's QMP server listens with server=on,wait=off only (got '${arg}')`, location);
    }
    return { kind: 'unix', path: target.slice('unix:'.length), pretty };
  }
  throw new CommandLineError(`hotmem's -qmp takes stdio or unix:PATH,server=on,wait=off (got '${arg}')`, location);
}

/** -incoming: listen at start-up for a URI (checked once the machine exists), or wait for migrate-incoming. */
export type IncomingRequest = { readonly kind: 'defer' } | { readonly kind: 'uri'; readonly uri: string; readonly location: string };

/** Checks an -object option as QEMU does at parse time; throws with QEMU's message. */
export type ObjectOptionCheck = (type: string, id: string | undefined, props: OptionProps) => void;

/** `objectCreationLocated`: the release reports an object's creation errors at its -object option. */
export function buildInvocation(options: readonly CommandLineOption[], checkObject?: ObjectOptionCheck, objectCreationLocated = false): Invocation {
  let help: HelpRequest | undefined;
  let machine: string | undefined;
  const machineProps: { name: string; value: string }[] = [];
  let accel: Accelerator | undefined;
  const memoryEntries = new Map<string, string>();
  let memoryLocation: string | undefined;
  let machineLocation: string | undefined;
  const globals: string[] = [];
  const items: StartupItem[] = [];
  const qmp: QmpChannel[] = [];
  const warnings: Array<Warning & { location: string }> = [];
  let startPaused = false;
  let incoming: IncomingRequest | undefined;
  let nodefaults = false;
  const noteWarnings = (parsed: ParsedOptions, location: string) => warnings.push(...parsed.warnings.map((w) => ({ ...w, location })));

  for (const option of options) {
    const arg = option.arg ?? '';
    const location = option.location;
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
        machineProps.push(...props(parsed, ['type', 'accel']));
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
        break;
      case 'numa':
        items.push({ kind: 'numa', text: arg, location });
        break;
      case 'object': {
        const parsed = parseOptions(arg, 'qom-type');
        noteWarnings(parsed, location);
        const type = last(parsed, 'qom-type');
        if (type === undefined) throw new CommandLineError("Parameter 'qom-type' is missing", location);
        if (parsed.helpRequested || type === 'help') {
          help ??= { kind: 'object', type, id: last(parsed, 'id'), location };
          break;
        }
        const objectProps = props(parsed, ['qom-type', 'id']);
        try {
          checkObject?.(type, last(parsed, 'id'), objectProps);
        } catch (e) {
          throw new CommandLineError((e as Error).message, location, warnings);
        }
        // Created later, outside the option's location: QEMU reports creation errors without it
        // from 6.0 on.
        items.push({ kind: 'object', type, id: last(parsed, 'id'), props: objectProps, ...(objectCreationLocated ? { location } : {}) });
        break;
      }
      case 'device': {
        if (arg.startsWith('{')) {
          items.push(jsonDevice(arg, location));
          break;
        }
        const parsed = parseOptions(arg, 'driver');
        noteWarnings(parsed, location);
        const driver = last(parsed, 'driver');
        if (driver === 'help' || (parsed.helpRequested && driver === undefined)) {
          help ??= { kind: 'device-list' };
          break;
        }
        if (parsed.helpRequested && driver !== undefined) {
          help ??= { kind: 'device', driver, location };
          break;
        }
        items.push({ kind: 'device', driver, id: last(parsed, 'id'), bus: last(parsed, 'bus'), props: props(parsed, ['driver', 'id', 'bus']), location });
        break;
      }
      case 'global': {
        let parsed: ReturnType<typeof parseGlobalOption>;
        try {
          parsed = parseGlobalOption(arg);
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
        qmp.push(qmpChannel(arg, option.name === 'qmp-pretty', location));
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
        throw new CommandLineError('invalid option', `-${option.name}`);
    }
  }
  const memory = memoryEntries.size === 0 ? undefined : [...memoryEntries].map(([k, v]) => `${k}=${v.replaceAll(',', ',,')}`).join(',');
  return { help, machine, machineProps, accel, memory, memoryLocation, machineLocation, globals, items, qmp, startPaused, incoming, nodefaults, warnings };
}

/** `-device {"driver": ...}` (7.0+): the JSON form of -device. */
function jsonDevice(arg: string, location: string): StartupItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(arg);
  } catch (e) {
    throw new CommandLineError(`JSON parse error, ${(e as Error).message}`, location);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CommandLineError('Invalid JSON syntax: expected an object', location);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
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
