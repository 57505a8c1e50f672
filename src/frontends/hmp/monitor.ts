/**
 * One human-monitor command line (monitor_parse_command and the handlers hotmem models): the
 * command looked up in the release's table, its arguments parsed as HMP parses them, and its
 * output or its "Error: ..." line as text with "\r\n" line ends. A command the release has but
 * hotmem does not model is refused by name rather than answered wrongly.
 */
import type { Arch } from '../../core/arch.js';
import { HotmemError } from '../../core/errors.js';
import { releaseName, type Release } from '../../core/release.js';
import type { MemoryDeviceInfo } from '../../machine/memory-device.js';
import { hmpCommandTable } from './command-table.js';
import { iothreadsPage, kvmPage, memdevPage, memoryDevicesPage, memorySizeSummaryPage, statusPage } from './info.js';

/** What a handler may ask: the QMP command QEMU's HMP handler calls, and the pages x-query-* commands share. */
export interface HmpContext {
  readonly release: Release;
  readonly arch: Arch;
  /** Runs a QMP command; a QMP error comes back as a thrown QmpError-like { desc }. */
  qmp(name: string, args?: Record<string, unknown>): unknown;
  numaPage(): string;
  ramblockPage(): string;
}

type Handler = (ctx: HmpContext, arg: string) => string;

/** HMP writes the QMP error a handler met as one line (hmp_handle_error). */
function orError(run: () => string): string {
  try {
    return run();
  } catch (e) {
    const desc = (e as { desc?: unknown }).desc;
    if (typeof desc !== 'string') throw e;
    return `Error: ${desc}\n`;
  }
}

type Fields = Readonly<Record<string, unknown>>;

const INFO: Readonly<Record<string, Handler>> = {
  'memory-devices': (ctx) => memoryDevicesPage(ctx.qmp('query-memory-devices') as MemoryDeviceInfo[]),
  memdev: (ctx) => memdevPage(ctx.qmp('query-memdev') as Fields[]),
  balloon: (ctx) => orError(() => `balloon: actual=${Math.floor(((ctx.qmp('query-balloon') as Fields)['actual'] as number) / 2 ** 20)}\n`),
  memory_size_summary: (ctx) => memorySizeSummaryPage(ctx.qmp('query-memory-size-summary') as Fields),
  numa: (ctx) => ctx.numaPage(),
  ramblock: (ctx) => ctx.ramblockPage(),
  status: (ctx) => statusPage(ctx.qmp('query-status') as Fields),
  name: (ctx) => {
    const name = (ctx.qmp('query-name') as Fields)['name'];
    return typeof name === 'string' ? `${name}\n` : '';
  },
  uuid: (ctx) => `${String((ctx.qmp('query-uuid') as Fields)['UUID'])}\n`,
  kvm: (ctx) => kvmPage(ctx.qmp('query-kvm') as Fields),
  iothreads: (ctx) => iothreadsPage(ctx.qmp('query-iothreads') as Fields[]),
};

/**
 * The balloon command's `value:M` (get_expr over a size): a number in MiB, or with a k/M/G/T
 * suffix in those units. Only plain numbers are modelled, not HMP's arithmetic.
 */
function balloonBytes(arg: string): number {
  if (arg === '') throw new HmpArgumentError('unexpected end of expression');
  const m = /^(0x[0-9a-fA-F]+|\d+)([kKmMgGtT]?)$/.exec(arg);
  if (!m) throw new HmpArgumentError(`invalid char '${arg.split('').find((c) => !/[0-9]/.test(c)) ?? arg.charAt(0)}' in expression`);
  const shift = { '': 20, k: 10, K: 10, m: 20, M: 20, g: 30, G: 30, t: 40, T: 40 }[m[2]!]!;
  return Number(BigInt(m[1]!) << BigInt(shift));
}

class HmpArgumentError extends Error {}

const COMMANDS: Readonly<Record<string, Handler>> = {
  balloon: (ctx, arg) => orError(() => (ctx.qmp('balloon', { value: balloonBytes(arg) }), '')),
  stop: (ctx) => (ctx.qmp('stop'), ''),
  c: (ctx) => (ctx.qmp('cont'), ''),
  cont: (ctx) => (ctx.qmp('cont'), ''),
};

/** The commands whose argument is a number: the rest of the line is theirs, less spaces. */
const TAKES_ARGUMENT = new Set(['balloon']);

export function runHmpLine(ctx: HmpContext, line: string): string {
  const table = hmpCommandTable(ctx.release, ctx.arch);
  if (!table) throw new HotmemError('hmp.no-table', `hotmem has no HMP command table for release ${releaseName(ctx.release)}`);
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '';
  const [name, ...rest] = words as [string, ...string[]];
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  if (!table.commands.includes(name)) return crlf(`unknown command: '${name}'\n`);
  let handler: Handler | undefined;
  let helpName = name;
  let args = rest;
  if (name === 'info') {
    if (rest.length === 0) throw new HotmemError('hmp.unmodelled', "hotmem does not model the HMP command 'info' without a subcommand");
    const [sub, ...subArgs] = rest as [string, ...string[]];
    if (!table.info.includes(sub)) return crlf(`unknown command: 'info ${sub}'\n`);
    handler = INFO[sub];
    helpName = `info ${sub}`;
    args = subArgs;
    if (!handler) throw new HotmemError('hmp.unmodelled', `hotmem does not model the HMP command '${helpName}'`);
  } else {
    handler = COMMANDS[name];
    if (!handler) throw new HotmemError('hmp.unmodelled', `hotmem does not model the HMP command '${name}'`);
  }
  const command = helpName.split(' ').at(-1)!;
  if (!TAKES_ARGUMENT.has(name) && args.length > 0) {
    return crlf(`${command}: extraneous characters at the end of line\nTry "help ${helpName}" for more information\n`);
  }
  try {
    return crlf(handler(ctx, args.join('')));
  } catch (e) {
    if (!(e instanceof HmpArgumentError)) throw e;
    return crlf(`${e.message}\nTry "help ${helpName}" for more information\n`);
  }
}
