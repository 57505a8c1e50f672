/**
 * Reads what the QEMU process costs the host: /proc/<pid>/status counters and, from
 * /proc/<pid>/smaps, the mappings that back each guest RAMBlock. The parsers are pure so they
 * are tested on captured text.
 */
import { readFileSync } from 'node:fs';
import type { HostMemory, ProcessMemory, RamBlockUsage } from './transcript.js';

/** A RAMBlock's host virtual range, found with HMP `gpa2hva`. */
export interface RamBlockRange {
  readonly name: string;
  /** Host virtual address; bigint like the smaps ranges, which reach 2^64 (the vsyscall page). */
  readonly hva: bigint;
  readonly size: number;
}

export function readHostMemory(pid: number, blocks: readonly RamBlockRange[]): HostMemory {
  const smaps = parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return {
    process: parseProcessStatus(readFileSync(`/proc/${pid}/status`, 'utf8')),
    ramBlocks: blocks.map((b) => ramBlockUsage(smaps, b)),
  };
}

export function parseProcessStatus(text: string): ProcessMemory {
  const kib = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`/proc/<pid>/status has no ${key}`);
    return Number(m[1]);
  };
  return {
    vmRssKiB: kib('VmRSS'),
    rssAnonKiB: kib('RssAnon'),
    rssFileKiB: kib('RssFile'),
    rssShmemKiB: kib('RssShmem'),
    vmPteKiB: kib('VmPTE'),
  };
}

export interface SmapsMapping {
  readonly start: bigint;
  readonly end: bigint;
  /** The "Key:  N kB" fields, in KiB. */
  readonly kib: ReadonlyMap<string, number>;
}

export function parseSmaps(text: string): SmapsMapping[] {
  const mappings: { start: bigint; end: bigint; kib: Map<string, number> }[] = [];
  for (const line of text.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) {
      mappings.push({ start: BigInt(`0x${String(range[1])}`), end: BigInt(`0x${String(range[2])}`), kib: new Map() });
      continue;
    }
    const field = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (field) mappings.at(-1)?.kib.set(field[1]!, Number(field[2]));
  }
  return mappings;
}

/**
 * Sums the mappings inside the block's range. QEMU maps a RAMBlock as one mapping, but madvise
 * calls may split it, and the block must be covered exactly or the figures would be wrong.
 */
export function ramBlockUsage(mappings: readonly SmapsMapping[], block: RamBlockRange): RamBlockUsage {
  const end = block.hva + BigInt(block.size);
  const inside = mappings.filter((m) => m.start < end && m.end > block.hva);
  const covered = inside.reduce((sum, m) => sum + (min(m.end, end) - max(m.start, block.hva)), 0n);
  if (covered !== BigInt(block.size) || inside.some((m) => m.start < block.hva || m.end > end)) {
    throw new Error(`smaps: RAMBlock ${block.name} at 0x${block.hva.toString(16)} is not exactly covered by whole mappings`);
  }
  const sum = (key: string): number => inside.reduce((s, m) => s + (m.kib.get(key) ?? 0), 0);
  return {
    name: block.name,
    sizeKiB: sum('Size'),
    rssKiB: sum('Rss'),
    pssKiB: sum('Pss'),
    anonymousKiB: sum('Anonymous'),
    anonHugePagesKiB: sum('AnonHugePages'),
    shmemPmdMappedKiB: sum('ShmemPmdMapped'),
    privateDirtyKiB: sum('Private_Dirty'),
    sharedDirtyKiB: sum('Shared_Dirty'),
    swapKiB: sum('Swap'),
  };
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
