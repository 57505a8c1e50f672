/**
 * The emulated host memory core: what Linux does with a QEMU process's memory and what it costs.
 *
 * Start with a Host (arch + kernel + clock), spawn a process, map a backend's memory, and ask
 * the mapping to read, write, populate and discard; every answer carries its cost:
 *
 * ```ts
 * const host = new Host({ arch: 's390x', kernel: 'linux-6.9' });
 * const qemu = host.spawn({ name: 'qemu-system-s390x', kvm: true });
 * const out = qemu.map({ kind: 'anon', size: 4 * GiB, thp: 'hugepage' });
 * if (out.kind === 'done') {
 *   const read = out.mapping.read(0, 4 * GiB); // migration reads all of RAM
 *   read.delta.rssAnon; // 4 GiB: KVM processes may not use the zeropage before 6.10
 *   qemu.status().vmPte; // page tables, as /proc/PID/status shows them
 * }
 * ```
 */
export { DEFAULT_HOST_X86_CPU, freshHost, Host, type HostOptions, type HostX86Cpu, type ReclaimOutcome } from './host.js';
export { NO_FILES, type FileRead, type HostFiles } from './files.js';
export { HostProcess, type CowSharingOutcome, type MapOutcome, type MapSpec, type ProcessOptions, type UffdOutcome } from './process.js';
export {
  Mapping,
  PAGE_STATES,
  NO_DELTA,
  type AccessOutcome,
  type Backing,
  type DiscardOutcome,
  type MappingFlags,
  type PageStateName,
  type PopulateOutcome,
} from './mapping.js';
export { MemoryObject, type ObjectKind } from './memory-object.js';
export { VfioDma, pciSysfsPath, type HostPciDevice } from './vfio.js';
export {
  Userfaultfd,
  type FillOutcome,
  type PendingFault,
  type RegisterOutcome,
  type RemovalCause,
  type StuckFault,
  type UffdIoctl,
  type UffdMessage,
  type UffdOptions,
} from './userfaultfd.js';
export { ARCH_PROFILES, S390X, X86_64, archProfile, type ArchProfile, type TableLevel } from './arch.js';
export {
  KERNEL_ERAS,
  UFFD_FEATURE_SINCE,
  kernelAtLeast,
  kernelProfile,
  parseKernelVersion,
  type KernelOverrides,
  type KernelProfile,
  type S390ZeropageEra,
  type ThpMode,
  type ThpSettings,
  type UffdFeature,
} from './kernel.js';
export { NO_FAULTS, type Cost, type FaultCounts, type HostMeminfo, type MemoryDelta, type ProcStatus, type SyscallOutcome } from './accounting.js';
export { ERRNO, strerror, type Errno } from './errno.js';
export { hostErrors, type HostErrorCode } from './errors.js';
export { Timeline, type TimelineEntry, type TimelineOptions } from './timeline.js';
export { HugetlbPool } from './hugetlb-pool.js';
export { PageStore, type ContentRun } from './chunk.js';
