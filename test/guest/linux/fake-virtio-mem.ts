/**
 * A scripted virtio-mem device behind a VirtioDriverPort, for testing the guest driver model on
 * its own. It answers as the spec requires (linux.md §1.5) in the order QEMU checks
 * (virtio_mem_state_change_request: range validity -> ERROR, plug beyond requested_size -> NACK,
 * blocks not all in the opposite state -> ERROR), refuses FEATURES_OK when
 * UNPLUGGED_INACCESSIBLE is offered but not acked (QEMU virtio_mem_validate_features), grows the
 * usable region with requested_size like QEMU's virtio_mem_resize_usable_region, and lets a test
 * override any answer (BUSY, ERROR, NACK, detaching) through `script`.
 */
import { encodeConfig } from '../../../devices/virtio-mem/config.js';
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import { decodeRequest, encodeResponse, type MemRequest, type MemResponse } from '../../../devices/virtio-mem/request.js';
import { MiB } from '../../../src/core/units.js';
import type { VirtioDriverPort } from '../../../src/virtio/driver-port.js';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { STATUS_FEATURES_OK, deviceStatus, hasStatus, type DeviceStatus } from '../../../src/virtio/status.js';
import { VIRTIO_F_VERSION_1 } from '../../../src/virtio/transport-features.js';
import { pushResponse, type ElementCompletion, type VirtqueueElement } from '../../../src/virtio/virtqueue.js';
import type { GuestAccess, GuestMemoryPort } from '../../../src/guest/memory-port.js';

export interface FakeDeviceSetup {
  readonly addr: number;
  readonly regionSize: number;
  readonly blockSize: number;
  /** Device feature bits offered besides VERSION_1. */
  readonly deviceFeatures?: FeatureSet;
  readonly requestedSize?: number;
  readonly nodeId?: number;
  /** QEMU x86's VIRTIO_MEM_USABLE_EXTENT, 2 * 128 MiB. */
  readonly usableExtent?: number;
  /** Blocks plugged before the driver starts (e.g. after kexec). */
  readonly pluggedBlocks?: readonly number[];
}

/** What a script may answer instead of the honest device; undefined lets the device answer. */
export type ScriptedAnswer = MemResponse | 'detach' | undefined;

export interface HandledRequest {
  readonly request: MemRequest;
  readonly answer: MemResponse | 'detach';
}

export class FakeVirtioMem implements VirtioDriverPort {
  readonly deviceId = 24;
  readonly addr: number;
  readonly regionSize: number;
  readonly blockSize: number;
  readonly offered: FeatureSet;
  readonly handled: HandledRequest[] = [];
  /** Overrides the device's answer to a request. */
  script: (request: MemRequest, device: FakeVirtioMem) => ScriptedAnswer = () => undefined;
  requestedSize: number;
  usableRegionSize: number;
  nodeId: number;
  /** Status writes as they arrived, refused ones included. */
  readonly statusWrites: DeviceStatus[] = [];
  #status: DeviceStatus = deviceStatus(0);
  #driverFeatures = FeatureSet.EMPTY;
  readonly #plugged: Uint8Array;
  readonly #listeners = new Set<() => void>();
  readonly #extent: number;

  constructor(setup: FakeDeviceSetup) {
    this.addr = setup.addr;
    this.regionSize = setup.regionSize;
    this.blockSize = setup.blockSize;
    this.offered = (setup.deviceFeatures ?? FeatureSet.EMPTY).with(VIRTIO_F_VERSION_1);
    this.nodeId = setup.nodeId ?? 0;
    this.#extent = setup.usableExtent ?? 256 * MiB;
    this.#plugged = new Uint8Array(setup.regionSize / setup.blockSize);
    for (const b of setup.pluggedBlocks ?? []) this.#plugged[b] = 1;
    this.requestedSize = 0;
    this.usableRegionSize = 0;
    this.#resizeUsable(setup.requestedSize ?? 0, false);
    this.requestedSize = setup.requestedSize ?? 0;
    if (this.pluggedSize() > this.usableRegionSize) this.usableRegionSize = this.pluggedSize();
  }

  pluggedSize(): number {
    return this.#plugged.reduce((n, b) => n + b, 0) * this.blockSize;
  }

  isPlugged(gpa: number): boolean {
    return this.#plugged[Math.floor((gpa - this.addr) / this.blockSize)] === 1;
  }

  /** The plugged blocks as [start, length] byte ranges. */
  pluggedRanges(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.#plugged.length; i++) {
      if (this.#plugged[i] !== 1) continue;
      const last = out[out.length - 1];
      const start = this.addr + i * this.blockSize;
      if (last !== undefined && last[0] + last[1] === start) last[1] += this.blockSize;
      else out.push([start, this.blockSize]);
    }
    return out;
  }

  /** qom-set requested-size: grows the usable region and notifies the driver. */
  setRequestedSize(size: number): void {
    this.#resizeUsable(size, false);
    this.requestedSize = size;
    this.notifyConfig();
  }

  notifyConfig(): void {
    for (const l of [...this.#listeners]) l();
  }

  // VirtioDriverPort.

  readStatus(): DeviceStatus {
    return this.#status;
  }

  writeStatus(status: DeviceStatus): void {
    this.statusWrites.push(status);
    if (status === 0) {
      this.#status = status;
      this.#driverFeatures = FeatureSet.EMPTY;
      return;
    }
    const settingFeaturesOk = hasStatus(status, STATUS_FEATURES_OK) && !hasStatus(this.#status, STATUS_FEATURES_OK);
    if (settingFeaturesOk && this.offered.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) && !this.#driverFeatures.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)) {
      return; // virtio_set_status() returns before storing the value.
    }
    this.#status = status;
  }

  readDeviceFeatures(): FeatureSet {
    return this.offered;
  }

  writeDriverFeatures(features: FeatureSet): void {
    this.#driverFeatures = features;
  }

  driverFeatures(): FeatureSet {
    return this.#driverFeatures;
  }

  readConfig(): Uint8Array {
    return encodeConfig({
      blockSize: BigInt(this.blockSize),
      nodeId: this.nodeId,
      addr: BigInt(this.addr),
      regionSize: BigInt(this.regionSize),
      usableRegionSize: BigInt(this.usableRegionSize),
      pluggedSize: BigInt(this.pluggedSize()),
      requestedSize: BigInt(this.requestedSize),
    });
  }

  submit(queue: number, element: VirtqueueElement): ElementCompletion {
    const decoded = decodeRequest(element);
    if (queue !== 0 || decoded.kind === 'violation') return { kind: 'detached' };
    const answer = this.script(decoded, this) ?? this.#answer(decoded);
    this.handled.push({ request: decoded, answer });
    if (answer === 'detach') return { kind: 'detached' };
    return pushResponse(element, encodeResponse(answer));
  }

  /** The queues the driver set up, in order. */
  readonly queuesSetUp: number[] = [];

  setUpQueue(index: number): void {
    this.queuesSetUp.push(index);
  }

  onConfigChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // The honest device.

  #answer(request: MemRequest): MemResponse {
    switch (request.kind) {
      case 'unplug-all':
        this.#plugged.fill(0);
        this.#resizeUsable(this.requestedSize, true);
        return { kind: 'ack' };
      case 'plug':
      case 'unplug':
      case 'state': {
        const first = this.#validRange(request.addr, request.nbBlocks);
        if (first === undefined) return { kind: 'error' };
        const blocks = this.#plugged.subarray(first, first + request.nbBlocks);
        if (request.kind === 'state') {
          const n = blocks.reduce((a, b) => a + b, 0);
          return { kind: 'ack-state', state: n === 0 ? 'unplugged' : n === blocks.length ? 'plugged' : 'mixed' };
        }
        const size = request.nbBlocks * this.blockSize;
        if (request.kind === 'plug' && this.pluggedSize() + size > this.requestedSize) return { kind: 'nack' };
        const want = request.kind === 'plug' ? 0 : 1;
        if (!blocks.every((b) => b === want)) return { kind: 'error' };
        blocks.fill(1 - want);
        return { kind: 'ack' };
      }
      default: {
        const _exhaustive: never = request;
        return _exhaustive;
      }
    }
  }

  /** The first block index, when the range is aligned, non-empty and inside the usable region. */
  #validRange(addr: bigint, nbBlocks: number): number | undefined {
    const start = Number(addr) - this.addr;
    if (nbBlocks === 0 || start < 0 || start % this.blockSize !== 0) return undefined;
    if (start + nbBlocks * this.blockSize > this.usableRegionSize) return undefined;
    return start / this.blockSize;
  }

  #resizeUsable(requested: number, canShrink: boolean): void {
    let size = Math.min(this.regionSize, requested + this.#extent);
    size = Math.ceil(size / this.blockSize) * this.blockSize;
    if (requested === 0) size = 0;
    if (size < this.usableRegionSize && !canShrink) return;
    this.usableRegionSize = size;
  }
}

/** Guest memory whose device part follows the fake's plug state. */
export class FakeGuestMemory implements GuestMemoryPort {
  readonly accesses: { readonly op: 'read' | 'write' | 'zero'; readonly gpa: number; readonly length: number }[] = [];

  constructor(
    private readonly device: FakeVirtioMem,
    private readonly unpluggedInaccessible: boolean,
  ) {}

  read(gpa: number, length: number): GuestAccess {
    return this.#access('read', gpa, length);
  }

  write(gpa: number, length: number): GuestAccess {
    return this.#access('write', gpa, length);
  }

  zero(gpa: number, length: number): GuestAccess {
    return this.#access('zero', gpa, length);
  }

  #access(op: 'read' | 'write' | 'zero', gpa: number, length: number): GuestAccess {
    this.accesses.push({ op, gpa, length });
    const d = this.device;
    if (this.unpluggedInaccessible) {
      for (let a = gpa; a < gpa + length; a += d.blockSize) {
        if (a >= d.addr && a < d.addr + d.regionSize && !d.isPlugged(a)) return { kind: 'inaccessible', gpa: a };
      }
    }
    return { kind: 'done', rssDelta: 0 };
  }
}
