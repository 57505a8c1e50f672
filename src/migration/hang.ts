/**
 * Why a postcopy hangs, by kernel: a page the destination already received goes missing again,
 * the guest faults on it, and QEMU never asks for a page twice (the source skips requests for
 * pages that are no longer dirty, migration/ram.c get_queued_page). What took the page away
 * depends on the destination kernel (linux.md §4.2, §4.6, §5.4).
 */
import type { KernelProfile } from '../host/kernel.js';
import type { HangCause } from './outcome.js';

export function hangEra(kernel: KernelProfile, cause: HangCause): string {
  const k = kernel.name;
  switch (cause) {
    case 'storage-keys':
      return (
        `${k}, s390 zeropage era '${kernel.s390Zeropage}' (3.18-4.13): enabling storage keys zaps every shared-zeropage PTE, ` +
        'so pages placed with UFFDIO_ZEROPAGE fault again; fixed by fa41ba0d (4.14), which forbids the zeropage for KVM processes ' +
        '(and in 6.10 by 06201e00, which unshares instead of zapping)'
      );
    case 'cmma-discard':
      return (
        `${k}, before bce73e48 (4.18): reclaim drops CMMA-unused pages even in ranges armed with userfaultfd, ` +
        'so a page postcopy placed faults again when the guest reuses it'
      );
    case 'madv-dontneed':
    case 'madv-remove':
    case 'punch-hole':
      return `${k}, every kernel: a discard (${cause}) in a userfaultfd-registered range makes the next access raise a missing fault (linux.md §5.4)`;
    case 'unknown':
      return `${k}: the page was received, is missing again, and nothing the model recorded removed it`;
    default: {
      const exhaustive: never = cause;
      return exhaustive;
    }
  }
}
