/**
 * A realized virtio-balloon at run time: the pure device (requests.ts, model.ts) wired to its
 * transport (the port a guest driver uses), to the host (discards land in RAMBlocks through
 * ram_block_discard_range), to the machine's clock (the stats poll timer) and to the machine's
 * events (BALLOON_CHANGE). Migration reaches it through precopyNotify, setMigrationState and the
 * free page hint listeners.
 */
import type { Warning } from '../../src/core/errors.js';
import type { Scheduler } from '../../src/core/scheduler.js';
import { NANOS_PER_SECOND } from '../../src/core/clock.js';
import type { BalloonMigrationState } from '../../src/machine/discard-coordination.js';
import { NO_MIGRATION } from '../../src/machine/discard-coordination.js';
import { ERRNO } from '../../src/host/errno.js';
import type { RamBlock } from '../../src/machine/ram-block.js';
import { notifyConfig, virtioError } from '../../src/virtio/device-core.js';
import { VirtioDeviceRuntime, type VirtioTransportKind } from '../../src/virtio/device-runtime.js';
import type { VirtioEffect } from '../../src/virtio/effects.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import type { VirtqueueElement } from '../../src/virtio/virtqueue.js';
import { encodeConfig } from './config.js';
import { balloonDiscard } from './discard.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_STATS_VQ } from './features.js';
import { virtioBalloonModel } from './model.js';
import { hasGuestPages, type BalloonCompletion, type BalloonDriverPort } from './port.js';
import { queueAt } from './queues.js';
import type { RamLookup } from '../../src/machine/ram-map.js';
import { virtioBalloonErrors } from './realize.js';
import {
  balloonActualBytes,
  handleBalloonElement,
  handleFreePageElement,
  handleReport,
  precopyNotify,
  receiveStats,
  setConfig,
  toTarget,
  type BalloonEffect,
  type PrecopyContext,
  type PrecopyReason,
  type QueueContext,
} from './requests.js';
import { VIRTIO_BALLOON_CMD_ID_DONE, VIRTIO_BALLOON_CMD_ID_STOP, type BalloonState } from './state.js';
import { wireOrder } from './wire.js';

/** VIRTIO_ID_BALLOON. */
export const VIRTIO_ID_BALLOON = 5;

/** What the device needs from the machine it runs in. */
export interface BalloonEnvironment {
  readonly scheduler: Scheduler;
  readonly transport: VirtioTransportKind;
  readonly hostPageSize: number;
  /** get_current_ram_size: initial RAM plus pc-dimm memory (virtio-mem does not count). */
  vmRamSize(): number;
  /** A fresh view of guest RAM (memory devices come and go). */
  lookup(): RamLookup;
  /** virtio_balloon_inhibited, given the migration state. */
  inhibited(migration: BalloonMigrationState): boolean;
  /** qapi_event_send_balloon_change. */
  balloonChange(actual: number): void;
  /** The process's once-only warning about discarding in a private file mapping, if this discard prints it. */
  privateFileDiscard(block: RamBlock): Warning | undefined;
}

/** A range migration may skip sending (qemu_guest_free_page_hint). */
export interface FreePageHint {
  readonly block: RamBlock;
  readonly offset: number;
  readonly length: number;
}

export class VirtioBalloonRuntime extends VirtioDeviceRuntime<BalloonState, BalloonEffect> implements BalloonDriverPort {
  readonly deviceId = VIRTIO_ID_BALLOON;
  /** warn_report / error_report output, in order. */
  readonly warnings: Warning[] = [];
  protected readonly model = virtioBalloonModel(() => this.#hintNegotiated());
  readonly #usedListeners = new Map<number, Set<() => void>>();
  readonly #hintListeners = new Set<(hint: FreePageHint) => void>();
  #configImage: Uint8Array;
  #migration: BalloonMigrationState = NO_MIGRATION;
  #hugepageWarned = false;
  /** Bumped whenever the stats timer is re-armed or stopped, so stale timer jobs do nothing. */
  #timerGeneration = 0;

  protected get transport(): VirtioTransportKind {
    return this.env.transport;
  }

  constructor(
    state: BalloonState,
    hostFeatures: FeatureSet,
    readonly env: BalloonEnvironment,
  ) {
    super(state, hostFeatures);
    this.#configImage = this.#currentConfig();
  }

  // ---- the transport, as the driver sees it ----------------------------------------------

  /** virtio_balloon_get_config; the transport keeps the image, so a later write lands on it. */
  readConfig(): Uint8Array {
    this.#configImage = this.#currentConfig();
    return this.#configImage.slice();
  }

  /** virtio_config_*_write: store into the image, then virtio_balloon_set_config; nothing past the exposed size. */
  writeConfig(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.#configImage.length) return;
    this.#configImage.set(bytes, offset);
    this.applyEffects(setConfig(this.state, this.#configImage, this.guestFeatures, this.env.vmRamSize()));
  }

  onUsed(queue: number, listener: () => void): () => void {
    const set = this.#usedListeners.get(queue) ?? new Set<() => void>();
    set.add(listener);
    this.#usedListeners.set(queue, set);
    return () => set.delete(listener);
  }

  submit(queue: number, element: VirtqueueElement): BalloonCompletion {
    const q = queueAt(this.state.setup.queues, queue);
    // A broken device no longer processes its queues; a queue the device lacks is never kicked.
    if (!q || this.broken) return { kind: 'detached' };
    const used: BalloonCompletion = { kind: 'used', len: 0, in: element.in };
    switch (q.name) {
      case 'inflate':
      case 'deflate':
        this.applyEffects(handleBalloonElement(q.name, element, this.#queueContext()));
        return used;
      case 'reporting':
        this.applyEffects(handleReport(this.state, hasGuestPages(element) ? element.inPages : [], this.#queueContext()));
        return used;
      case 'free-page':
        this.applyEffects(handleFreePageElement(this.state, element, hasGuestPages(element) ? element.inPages : [], this.#queueContext()));
        return used;
      case 'stats':
        return this.#receiveStats(element);
      default: {
        const exhaustive: never = q.name;
        return exhaustive;
      }
    }
  }

  // ---- the management side ---------------------------------------------------------------

  /** virtio_balloon_to_target (the `balloon` command). */
  toTarget(target: number): void {
    this.applyEffects(toTarget(this.state, target, this.env.vmRamSize()));
  }

  /** virtio_balloon_stat: the logical VM size query-balloon reports. */
  actualBytes(): number {
    return balloonActualBytes(this.state, this.env.vmRamSize());
  }

  /**
   * balloon_stats_set_poll_interval: 0 stops the timer; a new timer fires at once; a changed
   * interval re-arms the running timer from now.
   */
  setPollInterval(seconds: number): void {
    const was = this.state.statsPollInterval;
    if (seconds === was) return;
    this.state.statsPollInterval = seconds;
    this.#timerGeneration++;
    if (seconds > 0) this.#armStatsTimer(was > 0 ? seconds : 0);
  }

  /** virtio_balloon_post_load_device: a polling device re-arms its timer one interval from now. */
  postLoad(): void {
    if (this.state.statsPollInterval === 0) return;
    this.#timerGeneration++;
    this.#armStatsTimer(this.state.statsPollInterval);
  }

  /** The migration state that inhibits the balloon (incoming postcopy, background snapshot). */
  setMigrationState(migration: BalloonMigrationState): void {
    this.#migration = migration;
  }

  /** The precopy notifier (virtio_balloon_free_page_hint_notify). */
  precopyNotify(reason: PrecopyReason, ctx: Omit<PrecopyContext, 'hintNegotiated'>): void {
    this.applyEffects(precopyNotify(this.state, reason, { ...ctx, hintNegotiated: this.#hintNegotiated() }));
  }

  /** Hinted free pages, for a running migration to clear from its dirty bitmap; unheard hints are dropped. */
  onFreePageHint(listener: (hint: FreePageHint) => void): () => void {
    this.#hintListeners.add(listener);
    return () => this.#hintListeners.delete(listener);
  }

  /** Stops the timer for good (unrealize). */
  stop(): void {
    this.#timerGeneration++;
    this.state.statsPollInterval = 0;
  }

  // ---- internals -----------------------------------------------------------------------

  #hintNegotiated(): boolean {
    return this.guestFeatures.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT);
  }

  #queueContext(): QueueContext {
    return {
      lookup: this.env.lookup(),
      inhibited: this.env.inhibited(this.#migration),
      order: wireOrder(this.guestFeatures, this.state.setup.target),
    };
  }

  #currentConfig(): Uint8Array {
    const s = this.state;
    // The command id field shows the id only while requested; STOP and DONE as their ids;
    // while started QEMU leaves the zeroed field alone, which reads as STOP.
    const cmdId =
      s.freePageHintStatus === 'requested' ? s.freePageHintCmdId : s.freePageHintStatus === 'done' ? VIRTIO_BALLOON_CMD_ID_DONE : VIRTIO_BALLOON_CMD_ID_STOP;
    return encodeConfig({ numPages: s.numPages, actual: s.actual, freePageHintCmdId: cmdId, poisonVal: s.poisonVal }, s.setup.configSize);
  }

  #receiveStats(element: VirtqueueElement): BalloonCompletion {
    const order = wireOrder(this.guestFeatures, this.state.setup.target);
    const { releasedPrevious } = receiveStats(this.state, element, order, Math.floor(this.env.scheduler.now() / NANOS_PER_SECOND));
    if (releasedPrevious) this.#notifyUsed(this.#statsQueue());
    if (this.state.statsPollInterval > 0) {
      this.#timerGeneration++;
      this.#armStatsTimer(this.state.statsPollInterval);
    }
    return { kind: 'held' };
  }

  #statsQueue(): number {
    return this.state.setup.queues.find((q) => q.name === 'stats')!.index;
  }

  /** balloon_stats_change_timer: the poll callback `seconds` from now. */
  #armStatsTimer(seconds: number): void {
    const generation = this.#timerGeneration;
    this.env.scheduler.after(seconds * NANOS_PER_SECOND, () => {
      if (generation !== this.#timerGeneration || this.state.statsPollInterval === 0) return;
      // balloon_stats_poll_cb: without a buffer to give back, or without the stats queue, try again later.
      if (!this.state.statsElementHeld || !this.guestFeatures.has(VIRTIO_BALLOON_F_STATS_VQ)) {
        this.#armStatsTimer(this.state.statsPollInterval);
        return;
      }
      this.state.statsElementHeld = false;
      this.#notifyUsed(this.#statsQueue());
    });
  }

  #notifyUsed(queue: number): void {
    for (const listener of [...(this.#usedListeners.get(queue) ?? [])]) listener();
  }

  protected applyEffects(effects: readonly (VirtioEffect | BalloonEffect)[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'discard': {
          // ram_block_discard_range reports its own failures (the fallocate of fd-backed blocks
          // first, else the madvise); the balloon ignores them.
          const { block, offset, length } = effect;
          const done = balloonDiscard(block, offset, length, this.env.hostPageSize, this.state.setup.release);
          const warning = this.env.privateFileDiscard(block);
          if (warning) this.warnings.push(warning);
          if (done.kind === 'error') {
            const what = block.hasFd ? 'Failed to fallocate' : 'Failed to discard range';
            const message = `ram_block_discard_range: ${what} ${block.idstr}:${offset.toString(16)} +${length.toString(16)} (-${ERRNO[done.errno].errno})`;
            this.warnings.push({ code: 'virtio-balloon.discard-failed', message });
          }
          break;
        }
        case 'hugepage-warning':
          if (!this.#hugepageWarned) this.warnings.push(virtioBalloonErrors.warning('virtio-balloon.warn-hugepage'));
          this.#hugepageWarned = true;
          break;
        case 'free-page-hint':
          for (const listener of [...this.#hintListeners]) listener({ block: effect.block, offset: effect.offset, length: effect.length });
          break;
        case 'balloon-change':
          this.env.balloonChange(effect.actual);
          break;
        case 'notify-config':
          this.applyCoreStep(notifyConfig(this.core));
          break;
        case 'virtio-error':
          this.applyCoreStep(virtioError(this.core, effect.message));
          break;
        case 'config-change':
          this.raiseConfigChange();
          break;
        case 'error-report':
          this.warnings.push({ code: 'virtio.error-report', message: effect.message });
          break;
        case 'guest-error-log':
        case 'reset':
          break;
        default: {
          const exhaustive: never = effect;
          return exhaustive;
        }
      }
    }
  }
}
