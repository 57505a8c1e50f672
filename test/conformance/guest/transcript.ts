/**
 * The shape of a booted-guest conformance run: what was booted and done (the scenario) and what
 * QEMU, the guest's drivers and the host showed after every step (the transcript). The real
 * harness (boot.ts) produces it from QEMU 7.2 + Linux 6.1; a model must produce the same shape
 * from the same scenario, so that the two can be compared field by field.
 *
 * All sizes are bytes unless the name ends in KiB (the unit /proc reports). Times (`atMs`) are
 * milliseconds since the step began: wall clock for a real run, simulated time for a model;
 * compare their order, not their values.
 */

export type OnOffAuto = 'on' | 'off' | 'auto';

/** The memory backend behind the virtio-mem device (`-object memory-backend-<kind>`). */
export type BackendKind = 'ram' | 'memfd' | 'file';

/** Linux `memhp_default_state`: how the guest onlines hotplugged memory blocks. */
export type OnlinePolicy = 'online' | 'online_kernel' | 'online_movable';

export interface VirtioMemConfig {
  readonly backend: BackendKind;
  readonly backendSize: number;
  /** `share=on` on the backend (MAP_SHARED); false leaves QEMU's default (off, but on for memfd). */
  readonly share: boolean;
  /** `requested-size` on the command line, i.e. what the guest's driver plugs while booting. */
  readonly requestedSize: number;
  /** `unplugged-inaccessible` as given on `-device`; null leaves the machine type's default. */
  readonly unpluggedInaccessible: OnOffAuto | null;
}

/** `-machine accel=`: booted guests run under TCG here (KVM stops them with an internal error). */
export type Accelerator = 'tcg' | 'kvm';

export interface GuestScenario {
  readonly name: string;
  readonly accel: Accelerator;
  /** `-machine` type, e.g. `q35` (= pc-q35-7.2 on QEMU 7.2) or `pc-q35-6.2`. */
  readonly machine: string;
  /** `-m` size and `maxmem`. */
  readonly bootMemory: number;
  readonly maxMemory: number;
  readonly onlinePolicy: OnlinePolicy;
  readonly virtioMem: VirtioMemConfig;
  /** Whether a virtio-balloon-pci device is present. */
  readonly balloon: boolean;
  /**
   * `free-page-reporting=on` on the balloon: the guest reports freed memory some seconds later, so
   * each step also waits for the host's RSS to settle.
   */
  readonly freePageReporting?: boolean;
  readonly steps: readonly ScenarioStep[];
}

export type ScenarioStep =
  /** `qom-set <vm0> requested-size`. */
  | { readonly kind: 'resize'; readonly requestedSize: number }
  /** QMP `balloon value=<target>`: the guest's logical RAM size the balloon should leave. */
  | { readonly kind: 'balloon'; readonly target: number }
  /** The guest keeps exactly `bytes` of file data in its RAM-backed root file system. */
  | { readonly kind: 'guest-fill'; readonly bytes: number };

/** The first record of every transcript is the boot itself. */
export type RecordedStep = { readonly kind: 'boot' } | ScenarioStep;

export interface GuestTranscript {
  readonly scenario: GuestScenario;
  readonly origin: TranscriptOrigin;
  /** What QEMU printed on stderr while starting (realize warnings), one line each. */
  readonly qemuStderr: readonly string[];
  readonly virtioMem: VirtioMemFacts;
  /** After the last step (the guest has driven it); null when the scenario has no balloon. */
  readonly balloon: VirtioDeviceFacts | null;
  readonly steps: readonly StepRecord[];
}

export type TranscriptOrigin =
  | {
      readonly kind: 'real';
      /** QMP query-version, e.g. `7.2.22` plus the package string. */
      readonly qemuVersion: string;
      readonly qemuPackage: string;
      /** `uname -r` in the guest. */
      readonly guestKernel: string;
      readonly host: HostFacts;
      /** Wall clock from spawning QEMU to the guest's init answering. */
      readonly bootMs: number;
      /** Wall clock per step record (the boot record included), converging and settling. */
      readonly stepMs: readonly number[];
    }
  | { readonly kind: 'model'; readonly modelVersion: string; readonly guestKernel: string };

export interface HostFacts {
  readonly kernelRelease: string;
  /** /sys/kernel/mm/transparent_hugepage/enabled, the bracketed choice. */
  readonly transparentHugepage: string;
}

/** A virtio device as QEMU reports it after the guest's driver has set it up. */
export interface VirtioDeviceFacts {
  readonly qomPath: string;
  /** x-query-virtio-status; null where the release has no such command (5.2) or aborts on it (real-qemu.ts CRASHING_COMMANDS). */
  readonly status: VirtioStatusFacts | null;
}

/** What x-query-virtio-status says about one device. */
export interface VirtioStatusFacts {
  /** Feature bits QEMU offers and the ones the guest acked, ascending. */
  readonly hostFeatures: readonly number[];
  readonly guestFeatures: readonly number[];
  /** Status bits set, by QEMU's names, e.g. VIRTIO_CONFIG_S_FEATURES_OK. */
  readonly statusBits: readonly string[];
  /** x-query-virtio-status's transport fields once the driver is up (queue-sel: its last queue on PCI). */
  readonly queueSel: number;
  readonly startOnKick: boolean;
  readonly started: boolean;
}

export interface VirtioMemFacts extends VirtioDeviceFacts {
  readonly address: number;
  readonly regionSize: number;
  readonly blockSize: number;
  /** The property after realize resolved `auto`; null where the release has no such property (5.2). */
  readonly unpluggedInaccessible: 'on' | 'off' | null;
}

export interface StepRecord {
  readonly step: RecordedStep;
  /** The device reached the step's target (requested size, balloon target, fill done) before it stopped changing. */
  readonly converged: boolean;
  /** query-memory-devices for vm0 once the step settled. */
  readonly requestedSize: number;
  readonly pluggedSize: number;
  /** Every distinct (plugged size, balloon actual) seen while polling, in order, from the values polling began with. */
  readonly progress: readonly ProgressSample[];
  /** query-balloon `actual`, null without a balloon. */
  readonly balloonActual: number | null;
  readonly events: readonly DeviceEvent[];
  readonly guest: GuestView;
  readonly host: HostMemory;
}

export interface ProgressSample {
  readonly atMs: number;
  readonly pluggedSize: number;
  readonly balloonActual: number | null;
}

export type DeviceEvent =
  | {
      readonly event: 'MEMORY_DEVICE_SIZE_CHANGE';
      readonly atMs: number;
      readonly id: string | null;
      readonly qomPath: string;
      readonly size: number;
    }
  | { readonly event: 'BALLOON_CHANGE'; readonly atMs: number; readonly actual: number }
  /** Anything else QEMU sent during the step (a RESET would be worth knowing about). */
  | { readonly event: 'other'; readonly atMs: number; readonly name: string };

/** What the guest kernel shows once it has settled after a step. */
export interface GuestView {
  readonly memTotalKiB: number;
  readonly memFreeKiB: number;
  readonly memAvailableKiB: number;
  /** /proc/vmstat pgmigrate_success: pages migrated since boot (offlining, alloc_contig_range, compaction). */
  readonly migratedPages: number;
  /** /sys/devices/system/memory/block_size_bytes. */
  readonly memoryBlockSize: number;
  /** Every memory block present, by index. */
  readonly memoryBlocks: readonly MemoryBlock[];
  readonly virtioDevices: readonly GuestVirtioDevice[];
  /** /proc/iomem entries whose name mentions virtio, in file order. */
  readonly iomem: readonly IomemEntry[];
  /** Kernel log lines new since the previous record; the boot record starts after "Run /init". */
  readonly kernelLog: readonly KernelLogLine[];
}

export interface MemoryBlock {
  readonly index: number;
  /** sysfs `state`: online, offline, going-offline. */
  readonly state: string;
  /** sysfs `valid_zones`: for an online block the zone it is in; empty when it spans zones. */
  readonly zones: readonly string[];
}

export interface GuestVirtioDevice {
  /** virtio0, virtio1, ... */
  readonly name: string;
  /** Virtio device ID: 24 virtio-mem, 5 virtio-balloon. */
  readonly deviceId: number;
  /** The virtio status byte the driver set (sysfs `status`). */
  readonly status: number;
  /** Negotiated feature bits as the driver sees them (sysfs `features`), ascending. */
  readonly features: readonly number[];
  readonly driver: string | null;
}

export interface IomemEntry {
  /** Nesting depth in /proc/iomem (indentation / 2). */
  readonly depth: number;
  readonly start: number;
  /** Inclusive, as /proc/iomem prints it. */
  readonly end: number;
  readonly name: string;
}

export interface KernelLogLine {
  /** printk level, 0 (emergency) to 7 (debug). */
  readonly level: number;
  readonly atSeconds: number;
  readonly text: string;
}

/** The host-side cost of the guest: QEMU's process counters and its guest-RAM mappings. */
export interface HostMemory {
  readonly process: ProcessMemory;
  /** One entry per RAMBlock located (boot RAM `pc.ram` and the virtio-mem backend). */
  readonly ramBlocks: readonly RamBlockUsage[];
}

/** /proc/<pid>/status fields, KiB. */
export interface ProcessMemory {
  readonly vmRssKiB: number;
  readonly rssAnonKiB: number;
  readonly rssFileKiB: number;
  readonly rssShmemKiB: number;
  readonly vmPteKiB: number;
}

/** /proc/<pid>/smaps summed over the mappings that hold one RAMBlock, KiB. */
export interface RamBlockUsage {
  /** QEMU's RAMBlock name as `gpa2hva` prints it, e.g. pc.ram or mem0. */
  readonly name: string;
  readonly sizeKiB: number;
  readonly rssKiB: number;
  readonly pssKiB: number;
  readonly anonymousKiB: number;
  readonly anonHugePagesKiB: number;
  readonly shmemPmdMappedKiB: number;
  readonly privateDirtyKiB: number;
  readonly sharedDirtyKiB: number;
  readonly swapKiB: number;
}
