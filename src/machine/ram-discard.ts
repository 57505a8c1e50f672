/**
 * ram_block_discard_range (system/physmem.c): how QEMU gives a RAMBlock's memory back to the
 * host, by backend: a hole punched in the file or memfd, then MADV_REMOVE for shared anonymous
 * memory or MADV_DONTNEED for everything with base pages; hugetlb gets the hole punch only.
 */
import { key } from '../core/keys.js';
import type { Warning } from '../core/errors.js';
import { compareReleases } from '../core/release.js';
import type { Cost } from '../host/accounting.js';
import type { ObjectModel } from '../qom/object-model.js';
import type { Errno } from '../host/errno.js';
import type { RamBlock } from './ram-block.js';

export type RamDiscard = { readonly kind: 'done'; readonly rssDelta: number } | { readonly kind: 'error'; readonly errno: Errno };

const rss = (cost: Cost): number => cost.delta.rssAnon + cost.delta.rssFile + cost.delta.rssShmem;

export function discardRange(block: RamBlock, offset: number, length: number, hostPageSize: number): RamDiscard {
  const mapping = block.mapping;
  if (!mapping) return { kind: 'done', rssDelta: 0 };
  let rssDelta = 0;
  if (block.hasFd) {
    const punched = mapping.punchHole(offset, length);
    if (punched.kind === 'error') return { kind: 'error', errno: punched.errno };
    rssDelta += rss(punched);
  }
  if (block.pageSize === hostPageSize) {
    const advised = mapping.madvise(offset, length, block.shared && !block.hasFd ? 'remove' : 'dontneed');
    if (advised.kind === 'error') return { kind: 'error', errno: advised.errno };
    rssDelta += rss(advised);
  }
  return { kind: 'done', rssDelta };
}

/** Set on a machine's model once the private-file warning has been printed (per process). */
const PRIVATE_FILE_WARNED = key<true>('ram_block_discard_range private-file warning printed');

/**
 * 8.1+ (1d44ff586f "softmmu/physmem: Warn with ram_block_discard_range() on MAP_PRIVATE file
 * mapping"): a discard punches a hole in the backing file even when the mapping is private, so
 * it changes the file under any other user; the first such discard of the process warns
 * (warn_report_once): memfd and file backends with share=off. Real 10.0.13 prints it at
 * virtio-mem's realize (which discards its whole region), once however many devices follow.
 */
export function privateFileDiscardWarning(model: ObjectModel, block: RamBlock): Warning | undefined {
  if (!block.hasFd || block.shared || compareReleases(model.env.release, { major: 8, minor: 1 }) < 0) return undefined;
  if (model.services.get(PRIVATE_FILE_WARNED)) return undefined;
  model.services.set(PRIVATE_FILE_WARNED, true);
  return {
    code: 'ram-discard.private-file',
    message:
      'ram_block_discard_range: Discarding RAM in private file mappings is possibly dangerous, because it will modify the underlying file and will affect other users of the file',
  };
}
