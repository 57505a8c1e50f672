/**
 * The Linux virtio-mem driver (drivers/virtio/virtio_mem.c) of one kernel version, bound to a
 * device through its driver port. After probe it runs its work item (virtio_mem_run_wq) on the
 * scheduler: once at probe and after every config change, it re-reads the config, then plugs or
 * unplugs towards requested_size in the version's SBM or BBM units, and reacts to the device:
 *
 * - ACK: bookkeeping and Linux memory hotplug (add, auto-online, fake-offline, remove);
 * - NACK on PLUG: -EAGAIN, retried at once (config re-read when it changed; a device that keeps
 *   NACKing without a config change makes the kernel spin, which the model records and resumes
 *   from at the next config change);
 * - BUSY, and -EBUSY/-ENOMEM: the retry timer, 50 s doubling to 300 s, reset by a clean run;
 * - ERROR (-EINVAL): "unknown error, marking device broken", no further processing;
 * - an element the device detaches: the worker waits forever (wait_event in send_request).
 */
import type { MemRequest } from '../../../../devices/virtio-mem/request.js';
import { decodeConfig } from '../../../../devices/virtio-mem/config.js';
import type { Arch } from '../../../core/arch.js';
import { HotmemError } from '../../../core/errors.js';
import type { Timeline } from '../../../core/scheduler.js';
import { hex, type SimNanos } from '../../../core/units.js';
import type { VirtioDriverPort } from '../../../virtio/driver-port.js';
import type { FeatureSet } from '../../../virtio/feature-set.js';
import { toSafeNumber } from '../../../virtio/le.js';
import type { GuestMemoryPort } from '../../memory-port.js';
import { GuestRam } from '../guest-ram.js';
import { virtioMemDriverExists, type KernelVersion } from '../kernel-version.js';
import type { GpaRange } from '../ranges.js';
import { BigBlockMode, type BbmBlockInfo } from './bbm.js';
import { DeviceRequests, ResponseNeverCame, type SentRequest, type VmCounters } from './device-requests.js';
import { rcValue, type Errno, type Rc } from './errno.js';
import { DEFAULT_MODULE_PARAMS, lastUsableId, type VirtioMemModuleParams } from './geometry.js';
import { KernelMemory } from '../kernel-memory.js';
import { MemoryHotplug, type MemoryBlockInfo, type MemoryNotifier, type OnlinePolicy, type Zone } from './hotplug-core.js';
import { DeviceLog, type KernelLogEntry, type KernelLogSink } from './log.js';
import type { ModeOps } from './mode-ops.js';
import { NO_NUMA, probeVirtioMem, type GuestNuma, type ProbeFailure, type ProbeResult, type ProbedDevice } from './probe.js';
import { driverRules, OFFLINE_THRESHOLD_BLOCKS, OFFLINE_THRESHOLD_BYTES, RETRY_TIMER_MAX_MS, RETRY_TIMER_MIN_MS, type DriverRules } from './rules.js';
import { SubBlockMode, type SbmBlockInfo } from './sbm.js';
import { KdumpVmcore, type VmcoreCallbacks } from './vmcore.js';

const NANOS_PER_MS = 1_000_000;

/** The guest a driver instance runs in. */
export interface LinuxVirtioMemOptions {
  readonly kernel: KernelVersion;
  readonly arch: Arch;
  /** memory_block_size_bytes(); defaults to the architecture's (128 MiB x86_64, 256 MiB s390x). */
  readonly memoryBlockSize?: number;
  readonly numa?: GuestNuma;
  /** dev_name() of the virtio device; "virtio0" for the first one. */
  readonly deviceName?: string;
  /** What happens to added memory: memhp_default_state or a udev rule. Default "online". */
  readonly onlinePolicy?: OnlinePolicy;
  /** The kernel is a kdump (crash) kernel. */
  readonly kdumpKernel?: boolean;
  readonly moduleParams?: Partial<VirtioMemModuleParams>;
  /** The guest's RAM view, shared with its workload; a fresh one without boot RAM by default. */
  readonly ram?: GuestRam;
  /**
   * init_on_alloc=1 (CONFIG_INIT_ON_ALLOC_DEFAULT_ON): pages alloc_contig_range() takes for
   * fake-offlining are zeroed by post_alloc_hook() (mm/compaction.c split_map_pages()).
   */
  readonly initOnAlloc?: boolean;
  /**
   * Whether hotplug makes the kernel allocate and write memmaps and unmovable claims
   * (kernel-memory.ts): true in a whole guest (linux-guest.ts); the driver's own tests leave it off.
   */
  readonly kernelAllocations?: boolean;
}

/** Where the driver stands. */
export type DriverState =
  | { readonly kind: 'unprobed' }
  | { readonly kind: 'not-bound'; readonly failure: ProbeFailure }
  | { readonly kind: 'hotplug'; readonly mode: 'sbm' | 'bbm' }
  | { readonly kind: 'kdump' }
  /** vm->broken: the worker returns at once from now on. */
  | { readonly kind: 'broken'; readonly rc: Errno }
  /** The worker waits forever for the used buffer of a detached request. */
  | { readonly kind: 'hung'; readonly request: MemRequest };

/** The work item and its retry timer. */
export interface WorkerStatus {
  readonly queued: boolean;
  /** Spinning in virtio_mem_run_wq's retry loop: a PLUG was NACKed and no config change came. */
  readonly spinning: boolean;
  /** vm->retry_timer_ms: the delay the next timer start uses. */
  readonly retryTimerMs: number;
  /** When the armed retry timer fires, if armed. */
  readonly retryTimerDueAt: SimNanos | undefined;
}

type Mode = { readonly kind: 'sbm'; readonly engine: SubBlockMode } | { readonly kind: 'bbm'; readonly engine: BigBlockMode };

interface Bound {
  readonly device: ProbedDevice;
  readonly requests: DeviceRequests;
  readonly hotplug: MemoryHotplug;
  readonly mode: Mode;
}

export class LinuxVirtioMemDriver {
  readonly ram: GuestRam;
  readonly rules: DriverRules;
  readonly #log: DeviceLog;
  readonly #memoryBlockSize: number;
  readonly #params: VirtioMemModuleParams;
  #state: DriverState = { kind: 'unprobed' };
  #bound: Bound | undefined;
  #vmcore: KdumpVmcore | undefined;
  #requests: DeviceRequests | undefined;
  #features: FeatureSet | undefined;
  readonly #vm: VmCounters = { pluggedSize: 0, configChanged: false, unplugAllRequired: false, lastAgainWasNack: false };
  #requestedSize = 0;
  #offlineSize = 0;
  #offlineThreshold = 0;
  #warnedPluggedSize = false;
  // The work item (system_freezable_wq) and its retry hrtimer.
  #workPending = false;
  #running = false;
  #spinning = false;
  #wqActive = false;
  #retryTimerMs = RETRY_TIMER_MIN_MS;
  #timerGeneration = 0;
  #timerDueAt: SimNanos | undefined;

  constructor(
    private readonly port: VirtioDriverPort,
    private readonly memory: GuestMemoryPort,
    private readonly scheduler: Timeline,
    private readonly options: LinuxVirtioMemOptions,
    sink: KernelLogSink,
  ) {
    this.rules = driverRules(options.kernel, options.arch);
    this.ram = options.ram ?? new GuestRam([]);
    this.#memoryBlockSize = options.memoryBlockSize ?? this.rules.arch.defaultMemoryBlockSize;
    this.#params = { ...DEFAULT_MODULE_PARAMS, ...options.moduleParams };
    this.#log = new DeviceLog(options.deviceName ?? 'virtio0', sink, () => scheduler.now());
  }

  /** Device registration and driver probe, as at boot; queues the first work run. Once per driver. */
  probe(): ProbeResult {
    if (this.#state.kind !== 'unprobed') {
      throw new HotmemError('guest.virtio-mem-probed-twice', `the virtio-mem driver for ${this.#log.deviceName} was probed already`);
    }
    const result = probeVirtioMem(
      this.port,
      this.rules,
      virtioMemDriverExists(this.options.kernel, this.options.arch),
      {
        memoryBlockSize: this.#memoryBlockSize,
        numa: this.options.numa ?? NO_NUMA,
        kdumpKernel: this.options.kdumpKernel ?? false,
        moduleParams: this.#params,
      },
      this.#log,
    );
    switch (result.kind) {
      case 'no-driver':
      case 'features-refused':
      case 'init-failed':
        this.#state = { kind: 'not-bound', failure: result };
        return result;
      case 'kdump': {
        this.#features = result.features;
        const requests = new DeviceRequests(this.port, this.#vm, result.device.deviceBlockSize, () => this.scheduler.now());
        this.#requests = requests;
        const deviceRam = this.rules.vmcoreDeviceRam ? { sectionSize: this.rules.arch.sectionSize } : undefined;
        this.#vmcore = new KdumpVmcore(requests, result.device, this.#log, deviceRam);
        this.#state = { kind: 'kdump' };
        // virtio_mem_config_changed() returns at once in kdump mode: no subscription needed.
        return result;
      }
      case 'hotplug':
        this.#bind(result);
        return result;
      default: {
        const _exhaustive: never = result;
        return _exhaustive;
      }
    }
  }

  // Inspection.

  state(): DriverState {
    return this.#state;
  }

  worker(): WorkerStatus {
    return {
      queued: this.#workPending,
      spinning: this.#spinning,
      retryTimerMs: this.#retryTimerMs,
      retryTimerDueAt: this.#timerDueAt,
    };
  }

  /** The features the driver bound with (hotplug or kdump mode). */
  features(): FeatureSet | undefined {
    return this.#features;
  }

  /** vm->plugged_size and vm->requested_size as the driver last saw them. */
  sizes(): { readonly plugged: number; readonly requested: number } {
    return { plugged: this.#vm.pluggedSize, requested: this.#requestedSize };
  }

  /** Device memory the driver has plugged, in address order. */
  pluggedRanges(): GpaRange[] {
    return this.#bound?.mode.engine.pluggedRanges() ?? [];
  }

  /** Linux memory blocks the driver added and their online state. */
  memoryBlocks(): MemoryBlockInfo[] {
    return this.#bound?.hotplug.blocks() ?? [];
  }

  /** What the device adds to MemTotal: its pages the page allocator manages. */
  memTotalContribution(): number {
    const d = this.#bound?.device;
    return d === undefined ? 0 : this.ram.managedBytes({ start: d.addr, length: d.regionSize });
  }

  /** SBM memory-block states and subblock bitmaps, or BBM big-block states. */
  blockStates(): { readonly mode: 'sbm'; readonly blocks: SbmBlockInfo[] } | { readonly mode: 'bbm'; readonly blocks: BbmBlockInfo[] } | undefined {
    const mode = this.#bound?.mode;
    if (mode === undefined) return undefined;
    return mode.kind === 'sbm' ? { mode: 'sbm', blocks: mode.engine.blocks() } : { mode: 'bbm', blocks: mode.engine.blocks() };
  }

  /** Every request the driver sent, with what came back. */
  requests(): readonly SentRequest[] {
    return this.#requests?.sent() ?? [];
  }

  log(): readonly KernelLogEntry[] {
    return this.#log.entries();
  }

  logLines(): string[] {
    return this.#log.lines();
  }

  /** The /proc/vmcore callbacks a kdump-mode driver registered. */
  vmcore(): VmcoreCallbacks | undefined {
    return this.#vmcore;
  }

  // User space.

  /** `echo online_kernel|online_movable > /sys/devices/system/memory/memoryN/state`. */
  onlineMemoryBlock(mbId: number, zone: Zone): Rc {
    return this.#bound?.hotplug.onlineBlock(mbId, zone) ?? 'EINVAL';
  }

  /** `echo offline > /sys/devices/system/memory/memoryN/state`. */
  offlineMemoryBlock(mbId: number): Rc {
    return this.#bound?.hotplug.offlineBlock(mbId) ?? 'EINVAL';
  }

  // Binding.

  #bind(result: Extract<ProbeResult, { kind: 'hotplug' }>): void {
    const { device, geometry } = result;
    this.#features = result.features;
    this.#vm.pluggedSize = device.pluggedSize;
    this.#vm.unplugAllRequired = device.pluggedSize !== 0;
    const mbs = this.#memoryBlockSize;
    const unit = geometry.mode === 'sbm' ? mbs : geometry.bbSize;
    // "Prepare the offline threshold - make sure we can add two blocks."
    this.#offlineThreshold = this.rules.byteThreshold ? Math.max(2 * mbs, 2 * unit, OFFLINE_THRESHOLD_BYTES) : OFFLINE_THRESHOLD_BLOCKS;
    const requests = new DeviceRequests(this.port, this.#vm, device.deviceBlockSize, () => this.scheduler.now());
    this.#requests = requests;
    const notifier: MemoryNotifier = {
      goingOnline: (mb) => this.#notifyGoingOnline(mb),
      online: (mb, zone) => this.#notifyOnline(mb, zone),
      offline: (mb) => this.#notifyOffline(mb),
    };
    const hotplug: MemoryHotplug = new MemoryHotplug(
      this.ram,
      mbs,
      this.options.onlinePolicy ?? 'online',
      notifier,
      this.options.kernelAllocations === true ? new KernelMemory(this.rules.arch, this.ram, this.memory, () => hotplug.kernelZoneRanges()) : undefined,
    );
    const ops = this.#modeOps(requests, hotplug);
    const mode: Mode =
      geometry.mode === 'sbm' ? { kind: 'sbm', engine: new SubBlockMode(geometry, ops) } : { kind: 'bbm', engine: new BigBlockMode(geometry, ops) };
    this.#bound = { device, requests, hotplug, mode };
    this.#state = { kind: 'hotplug', mode: mode.kind };
    this.port.onConfigChange(() => this.#configChanged());
    // "trigger a config update to start processing the requested_size"
    this.#vm.configChanged = true;
    this.#queueWork();
  }

  #modeOps(requests: DeviceRequests, hotplug: MemoryHotplug): ModeOps {
    return {
      requests,
      unplugOnline: this.#params.unplugOnline,
      zoneAware: this.rules.zoneAware,
      couldAddMemory: (size) => this.#couldAddMemory(size),
      addMemory: (range) => {
        // "Memory might get onlined immediately."
        if (this.rules.byteThreshold) this.#offlineSize += range.length;
        return hotplug.addMemory(range);
      },
      removeMemory: (range) => {
        const rc = hotplug.removeMemory(range);
        if (rc === 'ok') this.#removed(range);
        return rc;
      },
      offlineAndRemoveMemory: (range) => {
        const rc = hotplug.offlineAndRemoveMemory(range);
        if (rc === 'ok') this.#removed(range);
        return rc;
      },
      fakeOffline: (range) => {
        if (!this.ram.vacate(range)) return 'EBUSY';
        this.ram.takeFromBuddy(range);
        if (this.options.initOnAlloc) this.memory.zero(range.start, range.length);
        return 'ok';
      },
      fakeOnline: (range) => {
        const state = hotplug.state(Math.floor(range.start / hotplug.memoryBlockSize));
        this.ram.giveToBuddy(range, state?.kind === 'online' ? state.zone : 'kernel');
      },
      memoryBlockState: (mb) => hotplug.state(mb),
      warnOnliningDenied: () => this.#log.dev('warn', 'memory block onlining denied'),
    };
  }

  /** After remove_memory() succeeded: the memory is gone, and 5.11+ retries at once. */
  #removed(range: GpaRange): void {
    if (!this.rules.byteThreshold) return;
    this.#offlineSize -= range.length;
    // "We might have freed up memory we can now unplug, retry immediately instead of waiting."
    this.#queueWork();
  }

  #couldAddMemory(size: number): boolean {
    if (!this.rules.byteThreshold) {
      const mode = this.#bound?.mode;
      return mode?.kind !== 'sbm' || mode.engine.offlineBlockCount() < this.#offlineThreshold;
    }
    if (size > this.#offlineThreshold) return false;
    return this.#offlineSize + size <= this.#offlineThreshold;
  }

  // Memory notifier (virtio_mem_memory_notifier_cb) and the online_page callback.

  #notifyGoingOnline(mb: number): boolean {
    const mode = this.#bound?.mode;
    return mode?.kind !== 'sbm' || mode.engine.goingOnline(mb);
  }

  #notifyOnline(mb: number, zone: Zone): void {
    const mode = this.#bound?.mode;
    if (mode?.kind === 'sbm') mode.engine.online(mb, zone);
    if (mode?.kind === 'bbm') mode.engine.online(mb);
    if (this.rules.byteThreshold) {
      this.#offlineSize -= this.#memoryBlockSize;
      // Add more once half the threshold is free, unless we are the ones adding.
      if (!this.#wqActive && this.#couldAddMemory(this.#offlineThreshold / 2)) this.#queueWork();
    } else if (mode?.kind === 'sbm' && mode.engine.offlineBlockCount() === OFFLINE_THRESHOLD_BLOCKS - 1) {
      // 5.8-5.10 virtio_mem_notify_online(): "see if we can add new blocks now that we onlined one block"
      this.#queueWork();
    }
  }

  #notifyOffline(mb: number): void {
    const mode = this.#bound?.mode;
    if (mode?.kind === 'sbm') mode.engine.offline(mb);
    if (this.rules.byteThreshold) {
      this.#offlineSize += this.#memoryBlockSize;
      if (!this.#params.unplugOnline) this.#queueWork();
    } else {
      // 5.8-5.10 virtio_mem_notify_offline(): "maybe we can now unplug memory"
      this.#queueWork();
    }
  }

  // The work item.

  #configChanged(): void {
    switch (this.#state.kind) {
      case 'hotplug':
      case 'broken':
        this.#vm.configChanged = true;
        this.#queueWork();
        // A worker spinning on NACK sees the flag at its next iteration.
        if (this.#spinning) this.scheduler.after(0, () => this.#resume());
        return;
      default:
        return;
    }
  }

  /** queue_work(): a pending item is not queued twice and never runs concurrently with itself. */
  #queueWork(): void {
    if (this.#state.kind === 'hung' || this.#workPending) return;
    this.#workPending = true;
    if (!this.#running) this.scheduler.after(0, () => this.#runWork());
  }

  /** virtio_mem_run_wq(). */
  #runWork(): void {
    this.#workPending = false;
    this.#cancelTimer();
    if (this.#state.kind !== 'hotplug') return;
    this.#running = true;
    this.#wqActive = true;
    this.#loop();
  }

  #resume(): void {
    if (!this.#spinning) return;
    this.#spinning = false;
    this.#loop();
  }

  #loop(): void {
    try {
      for (;;) {
        const rc = this.#step();
        if (rc !== 'EAGAIN') {
          this.#finish(rc);
          break;
        }
        if (this.#vm.lastAgainWasNack && !this.#vm.configChanged) {
          // The kernel would resend the same PLUG forever; wait for a config change instead.
          this.#spinning = true;
          return;
        }
      }
    } catch (e) {
      if (!(e instanceof ResponseNeverCame)) throw e;
      this.#state = { kind: 'hung', request: e.request };
      this.#workPending = false;
      return;
    }
    this.#wqActive = false;
    this.#running = false;
    if (this.#workPending) this.scheduler.after(0, () => this.#runWork());
  }

  #step(): Rc {
    const bound = this.#bound!;
    let rc: Rc = 'ok';
    // "Make sure we start with a clean state if there are leftovers."
    if (this.#vm.unplugAllRequired) rc = bound.requests.unplugAll();
    if (this.#vm.configChanged) {
      this.#vm.configChanged = false;
      this.#refreshConfig(bound);
    }
    const mode = bound.mode;
    if (rc === 'ok') rc = mode.engine.cleanupPending();
    const plugged = this.#vm.pluggedSize;
    const requested = this.#requestedSize;
    if (rc === 'ok' && requested !== plugged) {
      rc = requested > plugged ? mode.engine.plugRequest(requested - plugged) : mode.engine.unplugRequest(plugged - requested);
    }
    return rc;
  }

  #finish(rc: Exclude<Rc, 'EAGAIN'>): void {
    switch (rc) {
      case 'ok':
        this.#retryTimerMs = RETRY_TIMER_MIN_MS;
        return;
      case 'ENOSPC':
        // Alignment, physical limit or too much offline memory: wait for an event.
        return;
      case 'ETXTBSY':
      case 'EBUSY':
      case 'ENOMEM':
        this.#startTimer();
        return;
      case 'EINVAL':
      case 'ENODEV':
        this.#log.dev('err', `unknown error, marking device broken: ${rcValue(rc)}`);
        this.#state = { kind: 'broken', rc };
        return;
      default: {
        const _exhaustive: never = rc;
        return _exhaustive;
      }
    }
  }

  /** virtio_mem_refresh_config(). */
  #refreshConfig(bound: Bound): void {
    const config = decodeConfig(this.port.readConfig());
    // "the plugged_size is just a reflection of what _we_ did previously"
    const newPlugged = toSafeNumber(config.pluggedSize, 'virtio-mem plugged_size');
    if (newPlugged !== this.#vm.pluggedSize) {
      if (!this.#warnedPluggedSize) this.#log.warnOn('virtio_mem_refresh_config', 'new_plugged_size != vm->plugged_size');
      this.#warnedPluggedSize = true;
      this.#vm.pluggedSize = newPlugged;
    }
    const usable = toSafeNumber(config.usableRegionSize, 'virtio-mem usable_region_size');
    bound.mode.engine.setLastUsableId(lastUsableId(bound.mode.engine.geometry, bound.device.addr, usable));
    this.#requestedSize = toSafeNumber(config.requestedSize, 'virtio-mem requested_size');
    this.#log.dev('info', `plugged size: ${hex(this.#vm.pluggedSize)}`);
    this.#log.dev('info', `requested size: ${hex(this.#requestedSize)}`);
  }

  /** hrtimer_start(&vm->retry_timer, retry_timer_ms); the expiry queues the work and doubles the delay. */
  #startTimer(): void {
    const generation = ++this.#timerGeneration;
    const delay = this.#retryTimerMs * NANOS_PER_MS;
    this.#timerDueAt = (this.scheduler.now() + delay) as SimNanos;
    this.scheduler.after(delay, () => {
      if (generation !== this.#timerGeneration) return;
      this.#timerDueAt = undefined;
      this.#queueWork();
      this.#retryTimerMs = Math.min(this.#retryTimerMs * 2, RETRY_TIMER_MAX_MS);
    });
  }

  /** hrtimer_cancel(). */
  #cancelTimer(): void {
    this.#timerGeneration++;
    this.#timerDueAt = undefined;
  }
}
