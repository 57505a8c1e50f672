/**
 * Decodes the guest's answers (init.sh prints `HOTMEM <seq> <kind> <fields>` lines on the serial
 * console) into typed records. Pure: text in, data out, so it is tested without booting.
 */
import type { GuestView, GuestVirtioDevice, IomemEntry, KernelLogLine, MemoryBlock } from './transcript.js';

/** One protocol line: the request it answers, what it is, and the rest verbatim. */
export interface ConsoleMessage {
  readonly seq: number;
  readonly kind: string;
  readonly rest: string;
}

/**
 * Finds a protocol line in a console line. The marker may follow other output on the same line
 * (firmware escape sequences precede the first one), so it is searched, not anchored.
 */
export function parseConsoleLine(line: string): ConsoleMessage | null {
  const m = /HOTMEM (\d+) (\S+)(?: (.*))?$/.exec(line);
  if (!m) return null;
  return { seq: Number(m[1]), kind: m[2]!, rest: m[3] ?? '' };
}

/** A whole report (the messages between `begin` and `end` of one request). */
export function parseGuestReport(messages: readonly ConsoleMessage[]): GuestView {
  const meminfo = new Map<string, number>();
  let migratedPages: number | undefined;
  const memoryBlocks: MemoryBlock[] = [];
  const virtioDevices: GuestVirtioDevice[] = [];
  const iomem: IomemEntry[] = [];
  const kernelLog: KernelLogLine[] = [];
  let memoryBlockSize: number | undefined;
  for (const { kind, rest } of messages) {
    switch (kind) {
      case 'begin':
      case 'end':
        break;
      case 'meminfo': {
        const f = fields(rest, ['key', 'kib'], kind);
        meminfo.set(f.key, decimal(f.kib, rest));
        break;
      }
      case 'vmstat': {
        const f = fields(rest, ['key', 'value'], kind);
        if (f.key !== 'pgmigrate_success') throw new Error(`guest report: unexpected vmstat counter: ${rest}`);
        migratedPages = decimal(f.value, rest);
        break;
      }
      case 'block-size':
        memoryBlockSize = hexNumber(rest.trim(), rest);
        break;
      case 'block': {
        const f = fields(rest, ['index', 'state', 'zones'], kind);
        memoryBlocks.push({ index: decimal(f.index, rest), state: f.state, zones: f.zones === 'none' ? [] : f.zones.split(',') });
        break;
      }
      case 'virtio': {
        const f = fields(rest, ['name', 'device', 'status', 'features', 'driver'], kind);
        virtioDevices.push({
          name: f.name,
          deviceId: hexNumber(f.device, rest),
          status: hexNumber(f.status, rest),
          features: featureBits(f.features, rest),
          driver: f.driver === 'none' ? null : f.driver,
        });
        break;
      }
      case 'iomem':
        iomem.push(parseIomemLine(rest));
        break;
      case 'dmesg':
        kernelLog.push(parseKernelLogLine(rest));
        break;
      default:
        throw new Error(`guest report: unexpected '${kind}' line: ${rest}`);
    }
  }
  const need = (key: string): number => {
    const v = meminfo.get(key);
    if (v === undefined) throw new Error(`guest report: no ${key} in /proc/meminfo`);
    return v;
  };
  if (memoryBlockSize === undefined) throw new Error('guest report: no memory block size');
  if (migratedPages === undefined) throw new Error('guest report: no pgmigrate_success in /proc/vmstat');
  memoryBlocks.sort((a, b) => a.index - b.index);
  return {
    memTotalKiB: need('MemTotal'),
    memFreeKiB: need('MemFree'),
    memAvailableKiB: need('MemAvailable'),
    migratedPages,
    memoryBlockSize,
    memoryBlocks,
    virtioDevices,
    iomem,
    kernelLog,
  };
}

/** `dmesg -r` output: `<level>[seconds] text`. */
export function parseKernelLogLine(line: string): KernelLogLine {
  const m = /^<(\d+)>\[\s*(\d+\.\d+)\] ?(.*)$/.exec(line);
  if (!m) throw new Error(`guest report: not a dmesg -r line: ${line}`);
  // The raw prefix is facility * 8 + level; kernel messages have facility 0.
  return { level: Number(m[1]) % 8, atSeconds: Number(m[2]), text: m[3]! };
}

/** A /proc/iomem line, e.g. `  100000000-17fffffff : System RAM (virtio_mem)`. */
export function parseIomemLine(line: string): IomemEntry {
  const m = /^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(line);
  if (!m) throw new Error(`guest report: not an /proc/iomem line: ${line}`);
  return { depth: m[1]!.length / 2, start: hexNumber(m[2]!, line), end: hexNumber(m[3]!, line), name: m[4]! };
}

/** sysfs `features` is one character per bit, bit 0 first. */
function featureBits(text: string, line: string): number[] {
  if (!/^[01]+$/.test(text)) throw new Error(`guest report: bad feature string in: ${line}`);
  return Array.from(text).flatMap((c, bit) => (c === '1' ? [bit] : []));
}

/** Splits a line into exactly the named whitespace-separated fields. */
function fields<K extends string>(rest: string, names: readonly K[], kind: string): Record<K, string> {
  const parts = rest.trim().split(/\s+/);
  if (parts.length !== names.length) throw new Error(`guest report: '${kind}' wants ${names.join(' ')}: ${rest}`);
  return Object.fromEntries(names.map((name, i) => [name, parts[i]!])) as Record<K, string>;
}

function decimal(text: string, line: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`guest report: '${text}' is not a number in: ${line}`);
  return Number(text);
}

function hexNumber(text: string, line: string): number {
  const n = Number.parseInt(text.replace(/^0x/, ''), 16);
  if (!/^(0x)?[0-9a-f]+$/i.test(text) || !Number.isSafeInteger(n)) {
    throw new Error(`guest report: '${text}' is not a hex number in: ${line}`);
  }
  return n;
}
