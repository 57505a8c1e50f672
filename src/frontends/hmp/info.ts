/**
 * The human monitor's `info` pages hotmem models, written from the QMP answers QEMU's HMP code
 * formats (hmp_info_memory_devices, hmp_info_memdev, ...), with "\n" line ends (the monitor
 * turns them into "\r\n").
 */
import { inWindow, type Release } from '../../core/release.js';
import type { MemoryDeviceInfo } from '../../machine/memory-device.js';
import type { PlacedRamBlock } from '../../machine/ram-list.js';

type Fields = Readonly<Record<string, unknown>>;

const hex = (n: unknown): string => `0x${BigInt(n as number | bigint).toString(16)}`;
const bool = (b: unknown): string => (b ? 'true' : 'false');

/** hmp_info_memory_devices: each device's lines by kind. */
export function memoryDevicesPage(devices: readonly MemoryDeviceInfo[]): string {
  return devices
    .map(({ type, data: d }) => {
      const head = `Memory device [${type}]: "${typeof d['id'] === 'string' ? d['id'] : ''}"\n`;
      switch (type) {
        case 'dimm':
        case 'nvdimm':
          return `${head}  addr: ${hex(d['addr'])}\n  slot: ${String(d['slot'])}\n  node: ${String(d['node'])}\n  size: ${String(d['size'])}\n  memdev: ${String(d['memdev'])}\n  hotplugged: ${bool(d['hotplugged'])}\n  hotpluggable: ${bool(d['hotpluggable'])}\n`;
        case 'virtio-pmem':
          return `${head}  memaddr: ${hex(d['memaddr'])}\n  size: ${String(d['size'])}\n  memdev: ${String(d['memdev'])}\n`;
        case 'virtio-mem':
          return `${head}  memaddr: ${hex(d['memaddr'])}\n  node: ${String(d['node'])}\n  requested-size: ${String(d['requested-size'])}\n  size: ${String(d['size'])}\n  max-size: ${String(d['max-size'])}\n  block-size: ${String(d['block-size'])}\n  memdev: ${String(d['memdev'])}\n`;
        default:
          throw new Error(`no HMP page for memory device kind ${type}`);
      }
    })
    .join('');
}

/** The string output visitor's uint16 list: runs of consecutive values as ranges (0-2,5). */
function nodeRanges(nodes: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < nodes.length;) {
    let j = i;
    while (j + 1 < nodes.length && nodes[j + 1] === nodes[j]! + 1) j++;
    runs.push(j === i ? String(nodes[i]) : `${nodes[i]!}-${nodes[j]!}`);
    i = j + 1;
  }
  return runs.join(',');
}

/** hmp_info_memdev over query-memdev's answer (share and reserve where the release has them). */
export function memdevPage(memdevs: readonly Fields[]): string {
  const lines = memdevs.map(
    (m) =>
      `memory backend: ${String(m['id'])}\n  size:  ${String(m['size'])}\n  merge: ${bool(m['merge'])}\n  dump: ${bool(m['dump'])}\n  prealloc: ${bool(m['prealloc'])}\n` +
      ('share' in m ? `  share: ${bool(m['share'])}\n` : '') +
      ('reserve' in m ? `  reserve: ${bool(m['reserve'])}\n` : '') +
      `  policy: ${String(m['policy'])}\n  host nodes: ${nodeRanges(m['host-nodes'] as number[])}\n`,
  );
  return `${lines.join('')}\n`;
}

/** hmp_info_iothreads: the members query-iothreads gives, thread_id spelt with an underscore. */
export function iothreadsPage(iothreads: readonly Fields[]): string {
  const order = ['poll-max-ns', 'poll-grow', 'poll-shrink', 'poll-weight', 'aio-max-batch'];
  return iothreads
    .map(
      (t) =>
        `${String(t['id'])}:\n  thread_id=${String(t['thread-id'])}\n${order
          .filter((k) => k in t)
          .map((k) => `  ${k}=${String(t[k])}\n`)
          .join('')}`,
    )
    .join('');
}

/** hmp_info_status. */
export function statusPage(status: Fields): string {
  const running = status['running'] === true;
  const detail = !running && status['status'] !== 'paused' ? ` (${String(status['status'])})` : '';
  return `VM status: ${running ? 'running' : 'paused'}${status['singlestep'] === true ? ' (single step mode)' : ''}${detail}\n`;
}

/** hmp_info_kvm. */
export const kvmPage = (kvm: Fields): string => `kvm support: ${kvm['present'] ? (kvm['enabled'] ? 'enabled' : 'disabled') : 'not compiled'}\n`;

/** hmp_info_memory_size_summary. */
export const memorySizeSummaryPage = (summary: Fields): string =>
  `base memory: ${String(summary['base-memory'])}\n${'plugged-memory' in summary ? `plugged memory: ${String(summary['plugged-memory'])}\n` : ''}`;

export interface NumaNodeUsage {
  readonly cpus: readonly number[];
  readonly bytes: number;
  readonly pluggedBytes: number;
}

/** qmp_x_query_numa (info numa): sizes in whole MiB, rounded down. */
export function numaPage(nodes: readonly NumaNodeUsage[]): string {
  return `${nodes.length} nodes\n${nodes
    .map(
      (n, i) =>
        `node ${i} cpus:${n.cpus.map((c) => ` ${c}`).join('')}\nnode ${i} size: ${Math.floor(n.bytes / 2 ** 20)} MB\nnode ${i} plugged: ${Math.floor(n.pluggedBytes / 2 ** 20)} MB\n`,
    )
    .join('')}`;
}

/** size_to_str for a page size (a power of two): "4 KiB", "2 MiB", "1 GiB". */
function pageSizeText(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  const i = Math.min(Math.floor(Math.log2(bytes) / 10), units.length - 1);
  return `${bytes / 2 ** (i * 10)} ${units[i]!}B`;
}

const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`;

/**
 * ram_block_format (ram_block_dump before 6.2): one line per RAMBlock in ram_list order. From 8.0
 * ("memory: Dump HPA and access type of ramblocks", dbc6ae9c3b) each line also gives the host
 * address and whether the region is read-only. Blocks the host model does not map print a zero
 * address.
 */
export function ramblockPage(blocks: readonly PlacedRamBlock[], release: Release): string {
  const host = inWindow(release, { since: '8.0' });
  const head = `${'Block Name'.padStart(24)} ${'PSize'.padStart(8)}  ${['Offset', 'Used', 'Total', ...(host ? ['HVA'] : [])].map((c) => c.padStart(18)).join(' ')}${host ? ` ${'RO'.padStart(3)}` : ''}\n`;
  return (
    head +
    blocks
      .map(
        (b) =>
          `${b.idstr.padStart(24)} ${pageSizeText(b.pageSize).padStart(8)}  ${[b.offset, b.usedLength, b.maxLength, ...(host ? [b.hva ?? 0] : [])].map(hex16).join(' ')}${host ? ` ${(b.readOnly ? 'ro' : 'rw').padStart(3)}` : ''}\n`,
      )
      .join('')
  );
}
