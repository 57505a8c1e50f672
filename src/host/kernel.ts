/**
 * Host kernel profiles: which memory-management behaviour a kernel release has. A profile is
 * chosen by name (`linux-6.10`) or version string (`6.10.3`); every behaviour that changed
 * between releases is one field here, so tests and matrices can also override it.
 *
 * Sources: linux.md §3–§5, §8. Versions linux.md marks as unverified stay marked below.
 */
import { hostErrors } from './errors.js';

/**
 * How an s390x KVM process treats the shared zeropage (linux.md §4.2):
 * - `skeys-zap` (3.18–4.13): allowed until the guest uses storage keys; enabling them zaps every
 *   zeropage PTE (so a userfaultfd-registered range faults again: the postcopy hang).
 * - `forbid-kvm` (4.14–6.9, fa41ba0d): forbidden for the whole KVM (PGSTE) process; read faults
 *   allocate zeroed private pages; UFFDIO_ZEROPAGE still (wrongly) maps the zeropage.
 * - `unshare` (6.10+, 06201e00): allowed until storage keys or PV are enabled; enabling them
 *   replaces every mapped zeropage with a zeroed private page; UFFDIO_ZEROPAGE then places a
 *   zeroed page.
 */
export type S390ZeropageEra = 'skeys-zap' | 'forbid-kvm' | 'unshare';

/** /sys/kernel/mm/transparent_hugepage/enabled */
export type ThpMode = 'always' | 'madvise' | 'never';

/** UFFD_FEATURE_* names, lower-case kebab. */
export type UffdFeature =
  | 'event-fork'
  | 'event-remap'
  | 'event-remove'
  | 'event-unmap'
  | 'missing-hugetlbfs'
  | 'missing-shmem'
  | 'sigbus'
  | 'thread-id'
  | 'minor-hugetlbfs'
  | 'minor-shmem'
  | 'exact-address'
  | 'wp-hugetlbfs-shmem'
  | 'wp-unpopulated'
  | 'poison'
  | 'wp-async'
  | 'move';

/**
 * The release each feature bit appeared in. EVENT_REMOVE (4.11), POISON (6.6), WP_ASYNC (6.7) and
 * MOVE (6.8) are unverified in linux.md §5.5; the others are from the features' merge windows.
 */
export const UFFD_FEATURE_SINCE: Readonly<Record<UffdFeature, readonly [number, number]>> = Object.freeze({
  'event-fork': [4, 11],
  'event-remap': [4, 11],
  'event-remove': [4, 11],
  'event-unmap': [4, 11],
  'missing-hugetlbfs': [4, 11],
  'missing-shmem': [4, 11],
  sigbus: [4, 14],
  'thread-id': [4, 14],
  'minor-hugetlbfs': [5, 13],
  'minor-shmem': [5, 14],
  'exact-address': [5, 18],
  'wp-hugetlbfs-shmem': [5, 19],
  'wp-unpopulated': [6, 4],
  poison: [6, 6],
  'wp-async': [6, 7],
  move: [6, 8],
});

export interface ThpSettings {
  readonly enabled: ThpMode;
  /** /sys/kernel/mm/transparent_hugepage/use_zero_page (default 1). */
  readonly useZeroPage: boolean;
}

export interface KernelProfile {
  /** `linux-X.Y`. */
  readonly name: string;
  readonly version: readonly [major: number, minor: number];
  readonly s390Zeropage: S390ZeropageEra;
  /**
   * Before bce73e48 (4.18, July 2018) reclaim dropped CMMA-unused pages even in ranges armed
   * with userfaultfd, so a later access raised a missing fault on a page postcopy had sent.
   */
  readonly cmmaDiscardWhileUffdArmed: boolean;
  /** userfaultfd(2) exists (4.3). */
  readonly userfaultfd: boolean;
  readonly uffdFeatures: ReadonlySet<UffdFeature>;
  /** UFFDIO_ZEROPAGE works on shmem ranges (shmem_mfill_zeropage_pte; 4.14, unverified). */
  readonly uffdShmemZeropage: boolean;
  /** UFFDIO_ZEROPAGE places a zeroed page where the mm forbids the zeropage (90a7592d, 6.10). */
  readonly uffdZeropageHonoursForbid: boolean;
  readonly thp: ThpSettings;
  /** A write fault on a huge zero PMD allocates a THP instead of splitting (Dev Jain; 6.13, unverified). */
  readonly hugeZeroWriteAllocatesThp: boolean;
  /** MADV_POPULATE_READ / MADV_POPULATE_WRITE exist (5.14). */
  readonly madvPopulate: boolean;
  /** MADV_DONTNEED works on hugetlb VMAs (5.18, unverified). */
  readonly hugetlbDontneed: boolean;
  /**
   * CONFIG_PT_RECLAIM (6.14, default y, x86-64 only at first): MADV_DONTNEED frees PTE tables
   * that become empty. The process applies it only where the arch supports it.
   */
  readonly ptReclaim: boolean;
  /** KVM_PV_ENABLE exists (s390 protected virtualization, 5.7). */
  readonly protectedVirtualization: boolean;
}

export interface KernelOverrides {
  readonly thp?: Partial<ThpSettings>;
  readonly s390Zeropage?: S390ZeropageEra;
  readonly cmmaDiscardWhileUffdArmed?: boolean;
  readonly hugeZeroWriteAllocatesThp?: boolean;
  readonly ptReclaim?: boolean;
}

/** Named kernels the matrices use; any other `linux-X.Y` works too. */
export const KERNEL_ERAS = Object.freeze([
  'linux-4.9', // s390: zeropage allowed until storage keys, then zapped; CMMA drops pages under uffd
  'linux-4.14', // s390: zeropage forbidden for KVM processes
  'linux-4.19', // CMMA discard no longer drops pages while uffd is armed
  'linux-5.15', // MADV_POPULATE_*
  'linux-6.1', // Debian 12
  'linux-6.10', // s390: zeropage again until storage keys/PV, then unshared
  'linux-6.14', // PT_RECLAIM
] as const);

const OLDEST: readonly [number, number] = [3, 18];

const atLeast = (v: readonly [number, number], major: number, minor: number): boolean => v[0] > major || (v[0] === major && v[1] >= minor);

/** Parses `linux-6.10`, `6.10`, `6.10.3` or `6.1.0-27-cloud-amd64` into [major, minor]. */
export function parseKernelVersion(name: string): [number, number] {
  const m = /^(?:linux-)?(\d+)\.(\d+)(?:[.-].*)?$/.exec(name.trim());
  if (!m) throw hostErrors.error('host.unknown-kernel', { name });
  return [Number(m[1]), Number(m[2])];
}

/** The version of a kernel hotmem models (a profile can be built for it); throws naming the problem otherwise. */
export function modelledKernelVersion(name: string): [number, number] {
  const v = parseKernelVersion(name);
  if (!atLeast(v, OLDEST[0], OLDEST[1])) {
    throw hostErrors.error('host.kernel-too-old', { name, oldest: `linux-${OLDEST[0]}.${OLDEST[1]}` });
  }
  return v;
}

/** Builds the profile of a kernel release, optionally with host settings overridden. */
export function kernelProfile(name: string, overrides: KernelOverrides = {}): KernelProfile {
  const v = modelledKernelVersion(name);
  const uffd = atLeast(v, 4, 3);
  const features = new Set<UffdFeature>();
  if (uffd) {
    for (const [f, since] of Object.entries(UFFD_FEATURE_SINCE) as [UffdFeature, readonly [number, number]][]) {
      if (atLeast(v, since[0], since[1])) features.add(f);
    }
  }
  const era: S390ZeropageEra = atLeast(v, 6, 10) ? 'unshare' : atLeast(v, 4, 14) ? 'forbid-kvm' : 'skeys-zap';
  return Object.freeze({
    name: `linux-${v[0]}.${v[1]}`,
    version: Object.freeze([v[0], v[1]] as const),
    s390Zeropage: overrides.s390Zeropage ?? era,
    cmmaDiscardWhileUffdArmed: overrides.cmmaDiscardWhileUffdArmed ?? !atLeast(v, 4, 18),
    userfaultfd: uffd,
    uffdFeatures: features,
    uffdShmemZeropage: atLeast(v, 4, 14),
    uffdZeropageHonoursForbid: atLeast(v, 6, 10),
    thp: Object.freeze({ enabled: 'always', useZeroPage: true, ...overrides.thp }),
    hugeZeroWriteAllocatesThp: overrides.hugeZeroWriteAllocatesThp ?? atLeast(v, 6, 13),
    madvPopulate: atLeast(v, 5, 14),
    hugetlbDontneed: atLeast(v, 5, 18),
    ptReclaim: overrides.ptReclaim ?? atLeast(v, 6, 14),
    protectedVirtualization: atLeast(v, 5, 7),
  });
}

/** True if the profile is at least `linux-major.minor`. */
export const kernelAtLeast = (k: KernelProfile, major: number, minor: number): boolean => atLeast(k.version, major, minor);
