/**
 * ram_block_discard_range (system/physmem.c): how QEMU gives a RAMBlock's memory back to the
 * host, by backend: a hole punched in the file or memfd, then MADV_REMOVE for shared anonymous
 * memory or MADV_DONTNEED for everything with base pages; hugetlb gets the hole punch only.
 */
import type { Cost } from '../host/accounting.js';
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
