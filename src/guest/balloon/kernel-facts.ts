/**
 * What the Linux virtio-balloon driver and free page reporting do, by kernel version
 * (drivers/virtio/virtio_balloon.c, mm/page_reporting.c; linux.md §6). Each entry says where it
 * comes from; merge releases that were inferred from commit dates say so.
 */
import type { Arch } from '../../core/arch.js';
import { kernelAtLeast, type KernelVersion } from '../linux/kernel-version.js';

export type BalloonLinuxFeature =
  | 'deflate-on-oom'
  | 'free-page-hint'
  | 'page-poison'
  | 'deflate-on-oom-shrinker'
  | 'free-page-reporting'
  | 'init-on-alloc-free'
  | 'indirect-desc'
  | 'boot-memory-to-tail'
  | 'movable-min-capped';

export interface BalloonLinuxFact {
  readonly since: string;
  /** The release that dropped the behaviour again, if one did. */
  readonly until?: string;
  readonly source: string;
}

export const BALLOON_LINUX_FACTS: Readonly<Record<BalloonLinuxFeature, BalloonLinuxFact>> = Object.freeze({
  'deflate-on-oom': { since: '3.19', source: '5a10b7dbf904 (R. Maksudova, Nov 2014): an OOM notifier leaks oom_pages (256) per call' },
  // Committed 2018-10-25, after 4.19 was released (2018-10-22).
  'free-page-hint': { since: '4.20', source: '86a559787e6f "virtio-balloon: VIRTIO_BALLOON_F_FREE_PAGE_HINT"' },
  'page-poison': { since: '4.20', source: '"virtio-balloon: VIRTIO_BALLOON_F_PAGE_POISON" (same series as 86a559787e6f)' },
  // 71994620bb25 (same series) deflated through a shrinker under any reclaim; da10329cb057
  // (Feb 2020; merge release inferred) went back to the OOM notifier.
  'deflate-on-oom-shrinker': { since: '4.20', until: '5.7', source: '71994620bb25 / da10329cb057' },
  'free-page-reporting': { since: '5.7', source: 'linux.md §6.2: b0c504f15471 "virtio-balloon: add support for providing free page reports to host"' },
  // Debian's 6.1 guest acks VIRTIO_RING_F_INDIRECT_DESC for the balloon, its 6.12 and 7.2 guests
  // do not (test/conformance/guest/model-vs-guest.test.ts); the commit between them is not
  // identified yet, so 6.12 is the first release known without it.
  'indirect-desc': { since: '2.6', until: '6.12', source: 'observed: booted Debian 6.1, 6.12 and 7.2 guests (commit not identified)' },
  // Boot memory goes to the free lists' tails in address order, so it is handed out lowest address
  // first; the booted 5.10, 6.1, 6.12 and 7.2 guests' balloons all inflate upwards from low memory.
  'boot-memory-to-tail': { since: '5.10', source: '7fef431be9c9 "mm/page_alloc: place pages to tail in __free_pages_core()" (Oct 2020)' },
  // Merged with the 6.6 mm updates (beside "mm/mm_init.c: remove obsolete macro HASH_SMALL" and
  // "fs: convert block_commit_write to return void"; merge release inferred from those).
  'movable-min-capped': {
    since: '6.6',
    source: '"mm/page_alloc: fix min_free_kbytes calculation regarding ZONE_MOVABLE" (liuq): ZONE_MOVABLE leaves lowmem_pages, its min capped as highmem\'s',
  },
  'init-on-alloc-free': { since: '5.3', source: '6471384af2a6 "mm: security: introduce init_on_alloc=1 and init_on_free=1 boot options"' },
});

export function balloonLinuxHas(v: KernelVersion, feature: BalloonLinuxFeature): boolean {
  const fact = BALLOON_LINUX_FACTS[feature];
  return kernelAtLeast(v, fact.since) && (fact.until === undefined || !kernelAtLeast(v, fact.until));
}

/**
 * pageblock_order in bytes: free page reporting's default order. HUGETLB_PAGE_ORDER on both:
 * 2 MiB on x86_64 (PMD), 1 MiB on s390x (segment).
 */
export const pageblockBytes = (arch: Arch): number => (arch === 's390x' ? 1 << 20 : 2 << 20);

/** The largest buddy block, MAX_ORDER - 1 before 6.4 and MAX_ORDER after: 4 MiB of 4 KiB pages. */
export const MAX_BUDDY_BYTES = 4 << 20;

/** The guest's page size on both architectures. */
export const GUEST_PAGE_SIZE = 4096;
