/**
 * ram_block_discard_range as the balloon's QEMU release has it. src/machine/ram-discard.ts models
 * 6.1 and later; before 6.1 (cdfa56c551 "softmmu/physmem: Fix ram_block_discard_range() to handle
 * shared anonymous memory") shared anonymous RAM (memory-backend-ram,share=on) only got
 * MADV_DONTNEED: the process's mapping went away but the shmem behind it stayed allocated, so
 * ballooning freed nothing on the host. That release rule belongs in ram-discard.ts, with this
 * file gone, once the machine layer takes a release.
 */
import { compareReleases, type Release } from '../../src/core/release.js';
import type { RamBlock } from '../../src/machine/ram-block.js';
import { discardRange, type RamDiscard } from '../../src/machine/ram-discard.js';

export function balloonDiscard(block: RamBlock, offset: number, length: number, hostPageSize: number, r: Release): RamDiscard {
  const sharedAnonymous = block.shared && !block.hasFd && block.pageSize === hostPageSize;
  if (!sharedAnonymous || compareReleases(r, { major: 6, minor: 1 }) >= 0 || !block.mapping) return discardRange(block, offset, length, hostPageSize);
  const done = block.mapping.madvise(offset, length, 'dontneed');
  return done.kind === 'error'
    ? { kind: 'error', errno: done.errno }
    : { kind: 'done', rssDelta: done.delta.rssAnon + done.delta.rssFile + done.delta.rssShmem };
}
