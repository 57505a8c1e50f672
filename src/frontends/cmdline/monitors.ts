/**
 * -chardev and -mon as libvirt attaches its monitor: a listening socket chardev (a unix path, or
 * a socket fd the parent passed) and a control-mode monitor on it become one of hotmem's QMP
 * channels. Other chardev backends are checked as QEMU checks them and have no effect; what
 * hotmem cannot serve (a human monitor, a client or TCP socket) is refused by name.
 */
import { HotmemError, type Warning } from '../../core/errors.js';
import { parseScalar } from '../../core/parse/input-visitor.js';
import { optionValue, parseOptions, splitOptions, type ParsedOptions } from '../../core/parse/options.js';
import { compareReleases, type Release } from '../../core/release.js';
import { strerror } from '../../host/errno.js';
import { NO_FILES, type HostFiles } from '../../host/files.js';
import { chardevInUse } from '../../qom/backend-refs.js';
import { CommandLineError } from './parse-argv.js';

type Endpoint =
  | { readonly kind: 'stdio' }
  | { readonly kind: 'unix'; readonly path: string }
  /** `location`: the -chardev option, where QEMU reports an fd that is not a socket. */
  | { readonly kind: 'fd'; readonly fd: number; readonly location: string };

/**
 * A QMP channel: the process's stdio, a unix socket to listen on, or a listening socket fd.
 * `monitorId`: the monitor's id (11.1 files it under /objects by that name).
 */
export type QmpChannel = Endpoint & { readonly pretty: boolean; readonly monitorId?: string };

/**
 * What a chardev is to a monitor: an endpoint hotmem serves QMP on, bytes nobody reads (a human
 * monitor's output may go there unseen), or something hotmem does not serve.
 */
type Chardev =
  | { readonly kind: 'listening'; readonly channel: Endpoint }
  | { readonly kind: 'inert'; readonly why: string }
  | { readonly kind: 'other'; readonly why: string };

/** A monitor the command line makes, as 11.1 files it under /objects (monitor-qmp or monitor-hmp). */
export interface MonitorObject {
  readonly type: 'monitor-qmp' | 'monitor-hmp';
  readonly id: string;
  readonly props: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/** A monitor of the "mon" option list (-mon, -qmp, -monitor), in the order the list has them. */
interface MonEntry {
  /** -mon's id=, or the compat_monitorN a -qmp/-monitor option was given; absent: named when created. */
  readonly id: string | undefined;
  readonly mode: 'control' | 'readline';
  readonly chardev: string;
  readonly pretty: boolean;
  readonly channel: Endpoint | undefined;
}

/** Every char driver name of these releases (chardev/char-*.c, ui/, spice): QEMU refuses others. */
const CHAR_DRIVERS: readonly string[] = [
  'socket',
  'pty',
  'file',
  'stdio',
  'null',
  'pipe',
  'udp',
  'serial',
  'tty',
  'parallel',
  'parport',
  'ringbuf',
  'memory',
  'mux',
  'vc',
  'msmouse',
  'wctablet',
  'braille',
  'testdev',
  'spicevmc',
  'spiceport',
  'qemu-vdagent',
  'dbus',
];

/** Backends that only move bytes nothing in hotmem reads: accepted, with no effect. */
const INERT: readonly string[] = ['pty', 'file', 'stdio', 'null'];
/** Of those, the ones where a human monitor's banner and prompt would go unseen. */
const UNSEEN: readonly string[] = ['pty', 'null'];

/** The chardevs and monitors of one command line, in order. */
export class Monitors {
  readonly #chardevs = new Map<string, Chardev>();
  readonly #mons: MonEntry[] = [];
  /** -object monitor-qmp's monitors: late objects, not of the "mon" list. */
  readonly #objects: MonEntry[] = [];
  /** vl.c's monitor_device_index: the N of the next compat_monitorN. */
  #compatIndex = 0;

  constructor(
    readonly release: Release,
    /** The host's files: a file chardev opens its path, a client socket connects to its own. */
    readonly files: HostFiles = NO_FILES,
  ) {}

  /** qemu_chr_new_from_opts: the backend name, the id, then the backend's own checks. */
  chardev(opts: ParsedOptions, location: string): void {
    const backend = optionValue(opts, 'backend') ?? '';
    if (!CHAR_DRIVERS.includes(backend)) throw new HotmemError('cmdline.chardev-driver', `'${backend}' is not a valid char driver name`);
    const id = optionValue(opts, 'id');
    if (id === undefined) throw new HotmemError('cmdline.chardev-id', 'chardev: no id specified');
    this.#chardevs.set(id, this.#backend(backend, opts, location));
  }

  #backend(backend: string, opts: ParsedOptions, location: string): Chardev {
    if (backend === 'file') this.#openFile(opts);
    if (UNSEEN.includes(backend)) return { kind: 'inert', why: `a ${backend} chardev` };
    if (INERT.includes(backend)) return { kind: 'other', why: `a ${backend} chardev` };
    if (backend !== 'socket') throw new HotmemError('cmdline.chardev-backend', `hotmem models no '${backend}' chardev backend`);
    const path = optionValue(opts, 'path');
    const fd = optionValue(opts, 'fd');
    const host = optionValue(opts, 'host');
    if ([path, fd, host].filter((v) => v !== undefined).length !== 1) {
      // qemu_chr_parse_socket: before 7.0 one message; since, an absent path and host leave the fd to parse.
      if (compareReleases(this.release, { major: 7, minor: 2 }) < 0)
        throw new HotmemError('cmdline.chardev-socket', "Exactly one of 'path', 'fd' or 'host' required");
      if (path === undefined && host === undefined) throw new HotmemError('cmdline.chardev-socket', `Unable to parse FD number ${fd ?? ''}`);
      throw new HotmemError('cmdline.chardev-socket', "Exactly one of 'path', 'fd' or 'host' required");
    }
    const listening =
      optionValue(opts, 'server') !== undefined && parseScalar({ kind: 'bool' }, 'server', optionValue(opts, 'server')!, 'opts', this.release).value;
    const waits = optionValue(opts, 'wait') === undefined || parseScalar({ kind: 'bool' }, 'wait', optionValue(opts, 'wait')!, 'opts', this.release).value;
    if (path !== undefined && !listening) this.#connect(path, opts);
    if (host !== undefined || !listening || waits)
      return { kind: 'other', why: 'a socket chardev that is not a unix socket listening with server=on,wait=off' };
    if (path !== undefined) return { kind: 'listening', channel: { kind: 'unix', path } };
    if (!/^\d+$/.test(fd!)) throw new HotmemError('cmdline.chardev-socket', `Unable to parse FD number ${fd!}`);
    return { kind: 'listening', channel: { kind: 'fd', fd: Number(fd), location } };
  }

  /** qmp_chardev_open_file: the output file opened for writing (created, or truncated unless append=on). */
  #openFile(opts: ParsedOptions): void {
    const path = optionValue(opts, 'path');
    if (path === undefined) throw new HotmemError('cmdline.chardev-file', 'chardev: file: no filename given');
    const errno = this.files.openForWriting?.(path);
    if (errno) throw new HotmemError('cmdline.chardev-file', `Could not open '${path}': ${strerror(errno)}`);
  }

  /**
   * A client socket connects while the chardev opens, unless it reconnects (then it retries in
   * the background and start-up goes on).
   */
  #connect(path: string, opts: ParsedOptions): void {
    const retries = ['reconnect', 'reconnect-ms'].some((name) => {
      const value = optionValue(opts, name);
      return value !== undefined && value !== '0';
    });
    const errno = retries ? undefined : this.files.unixConnect?.(path);
    if (errno) throw new HotmemError('cmdline.chardev-socket', `Failed to connect to '${path}': ${strerror(errno)}`);
  }

  has(id: string): boolean {
    return this.#chardevs.has(id);
  }

  get chardevIds(): ReadonlySet<string> {
    return new Set(this.#chardevs.keys());
  }

  /** The chardevs a monitor took (qemu_chr_fe_init), which no device may take again. */
  readonly held = new Set<string>();

  /** monitor_init_opts: the mode, the chardev it names, then the monitor itself. */
  mon(opts: ParsedOptions): Warning[] {
    const modeText = optionValue(opts, 'mode');
    const mode =
      modeText === undefined
        ? 'readline'
        : parseScalar({ kind: 'enum', typeName: 'MonitorMode', values: ['readline', 'control'] }, 'mode', modeText, 'opts', this.release).value;
    const prettyText = optionValue(opts, 'pretty');
    const pretty = prettyText !== undefined && parseScalar({ kind: 'bool' }, 'pretty', prettyText, 'opts', this.release).value === true;
    const name = optionValue(opts, 'chardev');
    if (name === undefined) throw new HotmemError('cmdline.mon-chardev', "Parameter 'chardev' is missing");
    const warnings: Warning[] = [];
    if (mode === 'readline' && pretty) {
      // monitor_init_opts: deprecated, then refused from 6.0 ("monitor: raise error when 'pretty' option is used with HMP").
      if (compareReleases(this.release, { major: 6, minor: 0 }) >= 0)
        throw new HotmemError('cmdline.mon-pretty', "'pretty' is not compatible with HMP monitors");
      warnings.push({
        code: 'cmdline.mon-pretty',
        message: "'pretty' is deprecated for HMP monitors, it has no effect and will be removed in future versions",
      });
    }
    this.#monitor(optionValue(opts, 'id'), mode as MonEntry['mode'], name, pretty);
    return warnings;
  }

  /**
   * monitor_parse: -qmp, -qmp-pretty and -monitor. `chardev:ID` names a -chardev; anything else
   * is a chardev of its own, named compat_monitorN like the monitor (11.1 stopped counting the
   * chardev: form). `-monitor none` makes no monitor.
   */
  compat(mode: MonEntry['mode'], arg: string, pretty: boolean, location: string): void {
    if (mode === 'readline' && arg === 'none') return;
    if (arg.startsWith('chardev:')) {
      if (compareReleases(this.release, { major: 11, minor: 1 }) < 0) this.#compatIndex++;
      const name = arg.slice('chardev:'.length);
      this.#monitor(name, mode, name, pretty);
      return;
    }
    const label = `compat_monitor${this.#compatIndex++}`;
    this.#chardevs.set(label, compatChardev(mode, arg, location));
    this.#monitor(label, mode, label, pretty);
  }

  /**
   * -object monitor-qmp (11.1's binary is the first to have it): the members are checked with the
   * option (`checkMonitorObject`), the chardev when the monitor is created.
   */
  qmpObject(id: string, props: ReadonlyArray<{ readonly name: string; readonly value: string }>): void {
    const get = (name: string) => props.filter((p) => p.name === name).at(-1)?.value;
    const pretty = get('pretty');
    this.#monitor(
      id,
      'control',
      get('chardev')!,
      pretty !== undefined && parseScalar({ kind: 'bool' }, 'pretty', pretty, 'opts', this.release).value === true,
      false,
    );
  }

  #monitor(id: string | undefined, mode: MonEntry['mode'], name: string, pretty: boolean, listed = true): void {
    const chardev = this.#chardevs.get(name);
    if (!chardev) throw new HotmemError('cmdline.mon-chardev', `chardev "${name}" not found`);
    if (this.held.has(name)) throw new HotmemError('cmdline.mon-chardev-in-use', chardevInUse(name, this.release));
    this.held.add(name);
    if (chardev.kind === 'other')
      throw new HotmemError('cmdline.mon-chardev', `hotmem serves QMP on stdio, a unix socket or a socket fd only, not on ${chardev.why}`);
    if (chardev.kind === 'listening' && mode === 'readline')
      throw new HotmemError(
        'cmdline.mon-mode',
        `hotmem does not model a human monitor (HMP) on a socket or stdio: its output would be seen (chardev '${name}')`,
      );
    const entry: MonEntry = { id, mode, chardev: name, pretty, channel: chardev.kind === 'listening' ? chardev.channel : undefined };
    if (listed) this.#mons.push(entry);
    else this.#objects.push(entry);
  }

  /**
   * The monitors once every option is read. -mon's without an id are named compat_monitorN as
   * they are created, after the options, so after every -qmp/-monitor took its number. The
   * objects are those of the "mon" list, which vl.c creates after the late objects (-object
   * monitor-qmp is one of those: the front end files it in its place).
   */
  finish(): { readonly channels: readonly QmpChannel[]; readonly objects: readonly MonitorObject[] } {
    const mons = this.#mons.map((m) => ({ ...m, id: m.id ?? `compat_monitor${this.#compatIndex++}` }));
    return {
      channels: [...this.#objects, ...mons].flatMap((m) => (m.channel ? [{ ...m.channel, pretty: m.pretty, monitorId: m.id }] : [])),
      objects: mons.map((m) => ({
        type: m.mode === 'control' ? 'monitor-qmp' : 'monitor-hmp',
        id: m.id,
        props: [{ name: 'chardev', value: m.chardev }, ...(m.mode === 'control' ? [{ name: 'pretty', value: m.pretty ? 'on' : 'off' }] : [])],
      })),
    };
  }
}

/** qemu_chr_parse_compat, for the targets hotmem serves: a QMP stdio or listening unix socket; a null sink for HMP. */
function compatChardev(mode: MonEntry['mode'], arg: string, location: string): Chardev {
  if (mode === 'readline') {
    if (arg === 'null') return { kind: 'inert', why: 'a null chardev' };
    throw new CommandLineError(`hotmem models -monitor none, null or chardev:ID only (got '${arg}')`, location);
  }
  if (arg === 'stdio') return { kind: 'listening', channel: { kind: 'stdio' } };
  const [target, ...rest] = splitOptions(arg);
  if (target?.startsWith('unix:')) {
    const flags = parseOptions(rest.join(','));
    if (optionValue(flags, 'server') !== 'on' || optionValue(flags, 'wait') !== 'off') {
      throw new CommandLineError(`hotmem's QMP server listens with server=on,wait=off only (got '${arg}')`, location);
    }
    return { kind: 'listening', channel: { kind: 'unix', path: target.slice('unix:'.length) } };
  }
  throw new CommandLineError(`hotmem's -qmp takes stdio, unix:PATH,server=on,wait=off or chardev:ID (got '${arg}')`, location);
}

export const hasMonitorObject = (r: Release): boolean => compareReleases(r, { major: 11, minor: 1 }) >= 0;

/** ObjectOptions' monitor-qmp members, checked at the -object option (id is checked before). */
export function checkMonitorObject(props: ReadonlyArray<{ readonly name: string; readonly value: string }>, r: Release): void {
  for (const { name, value } of props) {
    if (name === 'pretty') parseScalar({ kind: 'bool' }, 'pretty', value, 'opts', r);
    else if (name === 'close-action') throw new HotmemError('cmdline.mon-close-action', 'hotmem does not model monitor-qmp close-action');
    else if (name !== 'chardev') throw new HotmemError('cmdline.object-member', `Invalid parameter '${name}'`);
  }
  if (!props.some((p) => p.name === 'chardev')) throw new HotmemError('cmdline.object-missing', "Parameter 'chardev' is missing");
}

/** -mon is deprecated in favour of -object monitor-qmp/monitor-hmp, first seen in 11.1's binary. */
export function monWarnings(r: Release): Warning[] {
  if (compareReleases(r, { major: 11, minor: 1 }) < 0) return [];
  return [{ code: 'cmdline.mon-deprecated', message: "'-mon' is deprecated, use '-object' with 'monitor-hmp' or 'monitor-qmp' types instead" }];
}
