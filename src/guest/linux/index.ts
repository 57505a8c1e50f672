/** The Linux guest models: kernel versions, the virtio-mem driver, the guest's RAM view, workloads and dumps. */
export {
  compareKernelVersions,
  kernelAtLeast,
  kernelVersion,
  kernelVersionName,
  linuxHas,
  virtioMemDriverExists,
  LINUX_FACTS,
  type KernelVersion,
  type LinuxFact,
  type LinuxFeature,
} from './kernel-version.js';
export { GuestRam } from './guest-ram.js';
export { gpaRange, rangeEnd, RangeSet, type GpaRange } from './ranges.js';
export { GuestWorkload, type DumpOutcome, type DumpPlan, type DumpProblem, type WorkloadOutcome } from './workload.js';
export { crashDumpPlan, type DumpPlanResult } from './kdump.js';
export { LinuxVirtioMemDriver, type DriverState, type LinuxVirtioMemOptions, type WorkerStatus } from './virtio-mem/driver.js';
export { type SentRequest, type RequestAnswer } from './virtio-mem/device-requests.js';
export { type KernelLogEntry, type KernelLogLevel, type KernelLogSink } from './virtio-mem/log.js';
export { type MemoryBlockInfo, type MemoryBlockState, type OnlinePolicy, type Zone } from './virtio-mem/hotplug-core.js';
export { NO_NUMA, type GuestNuma, type ProbeFailure, type ProbeResult } from './virtio-mem/probe.js';
export { DEFAULT_MODULE_PARAMS, type VirtioMemModuleParams } from './virtio-mem/geometry.js';
export { driverRules, GUEST_ARCH_FACTS, RETRY_TIMER_MAX_MS, RETRY_TIMER_MIN_MS, type DriverRules } from './virtio-mem/rules.js';
export { type PfnIsRam, type VmcoreCallbacks } from './virtio-mem/vmcore.js';
