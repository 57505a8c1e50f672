/**
 * A realized virtio-mem device at run time: the pure device model wired to its transport (the
 * port a guest driver uses), to the host (the memdev's RAMBlock, where discards and
 * preallocation land) and to the machine (size-change notifications, error reports, whether a
 * migration makes the device busy).
 */
import type { VirtioEffect } from '../../src/virtio/effects.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import { notifyConfig, virtioError } from '../../src/virtio/device-core.js';
import { VirtioDeviceRuntime, type VirtioTransportKind } from '../../src/virtio/device-runtime.js';
import type { VirtioDriverPort } from '../../src/virtio/driver-port.js';
import { pushResponse, type ElementCompletion, type VirtqueueElement } from '../../src/virtio/virtqueue.js';
import { discardRange } from '../../src/machine/ram-discard.js';
import type { RamBlock } from '../../src/machine/ram-block.js';
import { encodeConfig } from './config.js';
import { virtioMemModel } from './model.js';
import { decodeRequest, encodeResponse } from './request.js';
import { failedPlug, handleRequest, type RequestContext, type VirtioMemEffect } from './requests.js';
import { pluggedSize, type VirtioMemState } from './state.js';
import { resizeUsableRegion } from './usable-region.js';
import { virtioMemErrors } from './realize.js';

/** What the device needs from the machine it runs in. */
export interface VirtioMemEnvironment {
  readonly hostPageSize: number;
  readonly transport: VirtioTransportKind;
  /** Whether a migration currently forbids plug state changes. */
  context(): RequestContext;
  /** The proxy's size-change notifier (MEMORY_DEVICE_SIZE_CHANGE). */
  sizeChanged(size: number): void;
  /** error_report / warn_report output the device produces while running. */
  report(message: string): void;
  /** RamDiscardListener notify_populate: blocks were plugged. */
  notifyPlugged(offset: number, length: number): void;
  /** RamDiscardListener notify_discard: blocks are about to be discarded. */
  notifyDiscarding(offset: number, length: number): void;
}

/** VIRTIO_ID_MEM. */
export const VIRTIO_ID_MEM = 24;

export class VirtioMemRuntime extends VirtioDeviceRuntime<VirtioMemState, VirtioMemEffect> implements VirtioDriverPort {
  readonly deviceId = VIRTIO_ID_MEM;
  protected readonly model = virtioMemModel(() => this.env.context());

  protected get transport(): VirtioTransportKind {
    return this.env.transport;
  }

  constructor(
    state: VirtioMemState,
    hostFeatures: FeatureSet,
    readonly block: RamBlock,
    readonly env: VirtioMemEnvironment,
  ) {
    super(state, hostFeatures);
  }

  pluggedSize(): number {
    return pluggedSize(this.state);
  }

  requestedSize(): number {
    return this.state.requestedSize;
  }

  blockSize(): number {
    return this.state.setup.blockSize;
  }

  // ---- the transport, as the driver sees it ----------------------------------------------

  readConfig(): Uint8Array {
    const s = this.state;
    return encodeConfig({
      blockSize: BigInt(s.setup.blockSize),
      nodeId: s.setup.nodeId,
      addr: BigInt(s.setup.addr),
      regionSize: BigInt(s.setup.regionSize),
      usableRegionSize: BigInt(s.usableRegionSize),
      pluggedSize: BigInt(pluggedSize(s)),
      requestedSize: BigInt(s.requestedSize),
    });
  }

  /** virtio_mem_handle_request for one element of the single request queue. */
  submit(queue: number, element: VirtqueueElement): ElementCompletion {
    // A broken device no longer processes its queues; the element stays unanswered.
    if (queue !== 0 || this.broken) return { kind: 'detached' };
    const decoded = decodeRequest(element);
    if (decoded.kind === 'violation') {
      this.applyCoreStep(virtioError(this.core, decoded.message));
      return { kind: 'detached' };
    }
    let result = handleRequest(this.state, decoded, this.env.context());
    for (const effect of result.effects) {
      if (effect.kind !== 'populate') continue;
      const populated = this.block.mapping?.populate(effect.offset, effect.length, 'write');
      if (populated && populated.kind !== 'done') {
        result = failedPlug(this.state, effect.offset, effect.length);
        this.env.report('warning: virtio-mem: preallocation of plugged memory failed');
        break;
      }
    }
    this.applyEffects(result.effects.filter((e) => e.kind !== 'populate'));
    return pushResponse(element, encodeResponse(result.response));
  }

  // ---- the management side ---------------------------------------------------------------

  /**
   * The requested-size setter after realize (virtio_mem_set_requested_size). QEMU takes any
   * uint64, so the checks run on the exact value (a bigint past 2^53); what passes them is at most
   * the region size, well inside a number.
   */
  setRequestedSize(requested: number | bigint): void {
    const { blockSize, regionSize } = this.state.setup;
    const exact = BigInt(requested);
    if (exact % BigInt(blockSize) !== 0n) throw virtioMemErrors.error('virtio-mem.requested-size-multiple', { blockSize });
    if (exact > BigInt(regionSize)) throw virtioMemErrors.error('virtio-mem.requested-size-max', { size: regionSize });
    const value = Number(exact);
    if (value !== this.state.requestedSize) {
      resizeUsableRegion(this.state, value, false);
      this.state.requestedSize = value;
    }
    // QEMU notifies on every write, changed or not ("especially helpful for debugging").
    this.applyCoreStep(notifyConfig(this.core));
  }

  /** Realize gives the whole RAMBlock back: everything starts unplugged. */
  discardAll(): void {
    this.applyEffects([{ kind: 'discard', offset: 0, length: this.state.setup.regionSize }]);
  }

  protected applyEffects(effects: readonly (VirtioEffect | VirtioMemEffect)[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'discard': {
          this.env.notifyDiscarding(effect.offset, effect.length);
          const done = discardRange(this.block, effect.offset, effect.length, this.env.hostPageSize);
          if (done.kind === 'error') this.env.report(`ram_block_discard_range failed: ${done.errno}`);
          break;
        }
        case 'populate':
          break;
        case 'plugged':
          this.env.notifyPlugged(effect.offset, effect.length);
          break;
        case 'size-changed':
          this.env.sizeChanged(effect.size);
          break;
        case 'config-change':
          this.raiseConfigChange();
          break;
        case 'error-report':
          this.env.report(effect.message);
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
