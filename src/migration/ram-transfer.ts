/**
 * RAM pages on their way (migration/ram.c, 7.2): the source reads each page it sends — which
 * is what costs a source without a shared zeropage real memory — and sends it as a zero page
 * (RAM_SAVE_FLAG_ZERO: header and one byte) or with its data (RAM_SAVE_FLAG_PAGE); the
 * destination places it.
 *
 * Precopy places by writing data and, for zero pages, with ram_handle_zero(): it *reads* the
 * destination page and writes only if that is not zero already, so a fresh private anonymous
 * page keeps the shared zeropage and a page without one (shmem, s390x KVM 4.14-6.9) is
 * allocated by the read. Postcopy places with UFFDIO_COPY, and zero pages with UFFDIO_ZEROPAGE
 * where the registration offers it (postcopy_place_page_zero), a copied zero page otherwise.
 *
 * Pages are tracked in the block's page size; the wire carries TARGET_PAGE_SIZE pages. All work
 * goes through the host model's range operations and content runs, never page by page.
 */
import { strerror } from '../host/errno.js';
import type { FirmwareBlock } from '../machine/family.js';
import type { FillOutcome, Userfaultfd } from '../host/userfaultfd.js';
import { migrationErrors } from './errors.js';
import type { PageRanges } from './page-ranges.js';
import type { MigratableBlock } from './ram-blocks.js';

/** TARGET_PAGE_SIZE of both modelled targets. */
export const TARGET_PAGE_SIZE = 4096;
/** save_page_header: be64 offset | flags. */
const PAGE_HEADER = 8;
/** RAM_SAVE_FLAG_EOS after each iteration. */
export const EOS_BYTES = 8;
/**
 * How far one planning step looks ahead in the source's content runs: it grows while whole
 * lookaheads fit the budget (zero pages cost 9 bytes each) and shrinks to what fitted when they
 * do not (data pages cost a page each), so a step reads about the chunks it sends.
 */
const MIN_LOOKAHEAD = 2 * 1024 ** 2;
const MAX_LOOKAHEAD = 1024 ** 3;

/** A block on both sides, with the source's dirty bitmap and the destination's receivedmap. */
export interface BlockPair {
  readonly src: MigratableBlock;
  readonly dst: MigratableBlock;
  /** Pages still to send: the dirty bitmap as of the last sync, minus what was sent since. */
  readonly toSend: PageRanges;
  /** KVM's dirty log: pages the guest wrote since the last sync. */
  readonly dirtyLog: PageRanges;
  /** Pages the source's RamDiscardManager reports discarded: never read, never sent. */
  readonly skip: PageRanges;
  /** The destination's receivedmap. */
  readonly received: PageRanges;
  /** The destination's userfaultfd once postcopy listens, and whether it offers UFFDIO_ZEROPAGE. */
  postcopy: { readonly uffd: Userfaultfd; readonly zeroable: boolean } | undefined;
}

export interface ContentRun {
  readonly offset: number;
  readonly length: number;
  readonly tag: number;
}

const pageCost = (tag: number): number => PAGE_HEADER + (tag === 0 ? 1 : TARGET_PAGE_SIZE);

/** What the stream carried so far. */
export class RamStream {
  normalPages = 0;
  zeroPages = 0;
  bytes = 0;
  #lastBlock: string | undefined;
  #lookahead = MIN_LOOKAHEAD;

  /** The block's idstr goes out with the first page after a block change (RAM_SAVE_FLAG_CONTINUE otherwise). */
  #blockHeader(pair: BlockPair): number {
    return this.#lastBlock === pair.src.idstr ? 0 : 1 + pair.src.idstr.length;
  }

  /** An iteration ends with RAM_SAVE_FLAG_EOS, and the next names its block again. */
  endIteration(): number {
    this.#lastBlock = undefined;
    this.bytes += EOS_BYTES;
    return EOS_BYTES;
  }

  /**
   * The pages [s, cut) at the start of the pair's first dirty run that fit `budget` bytes, by
   * the source's current content (at least one page, as QEMU's rate limit lets one page overshoot).
   */
  plan(pair: BlockPair, budget: number): readonly [number, number] | undefined {
    const run = pair.toSend.first();
    if (!run) return undefined;
    const ps = pair.src.pageSize;
    const [s, e] = run;
    const end = Math.min(e, s + Math.max(1, Math.floor(this.#lookahead / ps)));
    let left = budget - this.#blockHeader(pair);
    let fitted = 0;
    for (const r of pair.src.mapping.contentRuns(s * ps, (end - s) * ps)) {
      const pages = r.length / TARGET_PAGE_SIZE;
      const fit = Math.min(pages, Math.floor(left / pageCost(r.tag)));
      fitted += fit * TARGET_PAGE_SIZE;
      left -= fit * pageCost(r.tag);
      if (fit < pages) break;
    }
    const cut = Math.min(end, s + Math.max(1, Math.floor(fitted / ps)));
    this.#lookahead = cut === end ? Math.min(MAX_LOOKAHEAD, this.#lookahead * 2) : Math.max(MIN_LOOKAHEAD, fitted * 2);
    return [s, cut];
  }

  /**
   * A firmware block's pages, sent once (the firmware does not change while the VM runs from
   * RAM): its data pages (the images' code, the ROMs) with their data, the rest as zero pages.
   */
  sendFirmware(block: FirmwareBlock): number {
    const pages = block.usedLength / TARGET_PAGE_SIZE;
    const zero = pages - block.dataPages;
    const bytes = 1 + block.idstr.length + zero * pageCost(0) + block.dataPages * pageCost(1);
    this.zeroPages += zero;
    this.normalPages += block.dataPages;
    this.#lastBlock = block.idstr;
    this.bytes += bytes;
    return bytes;
  }

  /**
   * Reads pages [s, e) on the source and puts them on the wire. Returns their content and the
   * bytes they took; the caller places them and updates the bitmaps.
   */
  send(pair: BlockPair, s: number, e: number): { readonly runs: readonly ContentRun[]; readonly bytes: number } {
    const ps = pair.src.pageSize;
    const mapping = pair.src.mapping;
    const read = mapping.read(s * ps, (e - s) * ps, { by: 'migration' });
    if (read.kind !== 'done') throw migrationErrors.error('migration.source-read', { idstr: pair.src.idstr, offset: read.offset, kind: read.kind });
    const runs = mapping.contentRuns(s * ps, (e - s) * ps);
    let bytes = this.#blockHeader(pair);
    for (const r of runs) {
      const pages = r.length / TARGET_PAGE_SIZE;
      bytes += pages * pageCost(r.tag);
      if (r.tag === 0) this.zeroPages += pages;
      else this.normalPages += pages;
    }
    this.#lastBlock = pair.src.idstr;
    this.bytes += bytes;
    return { runs, bytes };
  }
}

function checked(out: { readonly kind: string; readonly offset?: number }, pair: BlockPair, at: number): void {
  if (out.kind !== 'done') throw migrationErrors.error('migration.destination-write', { idstr: pair.dst.idstr, offset: out.offset ?? at, kind: out.kind });
}

/** ram_load_precopy: data is written; zero pages go through ram_handle_zero. */
export function placePrecopy(pair: BlockPair, runs: readonly ContentRun[]): void {
  const m = pair.dst.mapping;
  for (const r of runs) {
    if (r.tag !== 0) {
      checked(m.write(r.offset, r.length, r.tag, { by: 'migration' }), pair, r.offset);
      continue;
    }
    // ram_handle_zero: if (!buffer_is_zero(host, size)) memset(host, 0, size);
    checked(m.read(r.offset, r.length, { by: 'migration' }), pair, r.offset);
    for (const d of m.contentRuns(r.offset, r.length)) {
      if (d.tag !== 0) checked(m.write(d.offset, d.length, 0, { by: 'migration' }), pair, d.offset);
    }
  }
  markReceived(pair, runs);
}

/** ram_load_postcopy: each host page placed atomically, with UFFDIO_COPY or UFFDIO_ZEROPAGE. */
export function placePostcopy(pair: BlockPair, runs: readonly ContentRun[]): void {
  const pc = pair.postcopy;
  if (!pc) throw new Error('internal: postcopy placement before the destination listens');
  const m = pair.dst.mapping;
  if (m.pageSize === TARGET_PAGE_SIZE) {
    for (const r of runs) {
      if (r.tag === 0 && pc.zeroable) fill(pair, 'zero', pc.uffd.zeropage(m, r.offset, r.length), r.offset);
      else fill(pair, 'copy', pc.uffd.copy(m, r.offset, r.length, r.tag), r.offset);
    }
  } else {
    // A huge page is assembled from its target pages and copied whole (hugetlb has no
    // UFFDIO_ZEROPAGE); the host model takes one tag per copy, so the rest is written after.
    const start = runs[0]!.offset;
    const end = runs[runs.length - 1]!.offset + runs[runs.length - 1]!.length;
    fill(pair, 'copy', pc.uffd.copy(m, start, end - start, runs[0]!.tag), start);
    for (const r of runs.slice(1)) checked(m.write(r.offset, r.length, r.tag, { by: 'migration' }), pair, r.offset);
  }
  markReceived(pair, runs);
}

/** postcopy_place_page_zero for a discarded page the guest touched (postcopy_request_page, 6.2+). */
export function placeZeroPostcopy(pair: BlockPair, s: number, e: number): void {
  const ps = pair.dst.pageSize;
  placePostcopy(pair, [{ offset: s * ps, length: (e - s) * ps, tag: 0 }]);
}

function fill(pair: BlockPair, how: 'copy' | 'zero', out: FillOutcome, offset: number): void {
  if (out.kind === 'done') return;
  throw migrationErrors.error('migration.postcopy-place', {
    how,
    error: strerror(out.errno),
    address: pair.dst.mapping.start + offset + out.bytes,
    size: pair.dst.pageSize,
  });
}

function markReceived(pair: BlockPair, runs: readonly ContentRun[]): void {
  const ps = pair.dst.pageSize;
  for (const r of runs) pair.received.add(r.offset / ps, (r.offset + r.length) / ps);
}
