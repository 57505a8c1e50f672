/**
 * The device side of the virtio common configuration: status, feature negotiation, broken state,
 * config generation and the two resets. Every operation is a pure function from the old state to
 * the new one plus effects; guest behaviour never throws. Semantics follow QEMU 7.2
 * hw/virtio/virtio.c (virtio_set_status, virtio_set_features, virtio_reset, virtio_error,
 * virtio_notify_config) and the status-register write of hw/virtio/virtio-pci.c and
 * virtio-mmio.c, which reset the device when the stored status is 0.
 */
import { FeatureSet } from './feature-set.js';
import type { ResetRequest, SystemResetType, VirtioEffect } from './effects.js';
import { modernDeviceFeatures } from './host-features.js';
import { STATUS_DEVICE_NEEDS_RESET, STATUS_DRIVER_OK, STATUS_FEATURES_OK, STATUS_RESET, hasStatus, withStatus, type DeviceStatus } from './status.js';
import { VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_BAD_FEATURE, VIRTIO_F_VERSION_1 } from './transport-features.js';

/** The generic part of a virtio device's state (the fields of QEMU's VirtIODevice that matter here). */
export interface VirtioCore {
  /** What the device offers, including legacy-only bits a modern driver never sees. */
  readonly hostFeatures: FeatureSet;
  /** What the driver acked: its last write, masked to hostFeatures. */
  readonly guestFeatures: FeatureSet;
  readonly status: DeviceStatus;
  /** Set by a detected protocol violation; queues are not processed until a reset. */
  readonly broken: boolean;
  /** The config generation, a wrapping u32 bumped by every config-change notification. */
  readonly generation: number;
  /** vdev->queue_sel: the queue the driver last selected through the transport (virtio-pci). */
  readonly queueSel: number;
  /**
   * vdev->start_on_kick: the device is to start at the driver's first queue notification, set by a
   * features write that lacks VERSION_1 while the device is not started, cleared by DRIVER_OK
   * and by reset. x-query-virtio-status reports it.
   */
  readonly startOnKick: boolean;
  /**
   * virtio-pci's proxy->guest_features[1]: the high feature word the driver last wrote through
   * the proxy. Each half-word write is combined with the other remembered half, and a device
   * reset leaves the proxy's copy alone.
   */
  readonly pciFeaturesHigh: bigint;
}

/** The transports hotmem models. */
export type VirtioTransportKind = 'pci' | 'ccw';

/** A device's core as realize leaves it: reset, nothing acked, generation 0. */
export function createCore(hostFeatures: FeatureSet): VirtioCore {
  return {
    hostFeatures,
    guestFeatures: FeatureSet.EMPTY,
    status: STATUS_RESET,
    broken: false,
    generation: 0,
    queueSel: 0,
    startOnKick: false,
    pciFeaturesHigh: 0n,
  };
}

/** A device's answer to a feature set the driver is about to confirm with FEATURES_OK. */
export type FeatureValidation = { readonly kind: 'valid' } | { readonly kind: 'invalid'; readonly reason: string };

/** The feature words a device's validate hook looks at. */
export interface NegotiatedFeatures {
  readonly host: FeatureSet;
  readonly guest: FeatureSet;
}

/** A device hook's answer: the device's next state and the effects it asks for. */
export interface DeviceStep<D, E> {
  readonly device: D;
  readonly effects: readonly E[];
}

/**
 * What a device type plugs into the core. D is the device's own state, E its own effects (host
 * memory operations and the like). The core decides nothing for the device: it calls the hook.
 */
export interface VirtioDeviceModel<D, E> {
  /** QEMU's vdev->name (e.g. `virtio-mem`), which its guest-error log lines carry. */
  readonly name: string;
  /** QEMU's validate_features class hook, asked on the first FEATURES_OK write of a VERSION_1 driver. */
  validateFeatures(device: D, features: NegotiatedFeatures): FeatureValidation;
  /** What a device reset does to the device's own state (QEMU's VirtioDeviceClass.reset). */
  deviceReset(device: D): DeviceStep<D, E>;
  /**
   * What a machine-wide reset does. The core resets its own part either way (the bus resets the
   * device during a system reset too); whether the device also runs its device-reset logic is
   * the device's call.
   */
  systemReset(device: D, type: SystemResetType): DeviceStep<D, E>;
}

/** A virtio device: the generic core plus the device type's own state. */
export interface VirtioState<D> {
  readonly core: VirtioCore;
  readonly device: D;
}

/** The result of an operation that may involve the device: next state, outcome, effects in order. */
export interface Transition<D, E, O> {
  readonly next: VirtioState<D>;
  readonly outcome: O;
  readonly effects: readonly (VirtioEffect | E)[];
}

/** The result of an operation on the core alone. */
export interface CoreStep {
  readonly core: VirtioCore;
  readonly effects: readonly VirtioEffect[];
}

/** How a status write ended. */
export type StatusWrite =
  | { readonly kind: 'stored'; readonly status: DeviceStatus }
  /**
   * The device refused the features: QEMU returns before storing, so the status keeps its old
   * value and the driver reads FEATURES_OK back as clear. QEMU prints nothing.
   */
  | { readonly kind: 'features-refused'; readonly reason: string };

/** How a write of the driver-features word ended. */
export type FeatureWrite =
  /** Stored masked to the host features; `unoffered` are the bits the mask dropped. */
  | { readonly kind: 'stored'; readonly features: FeatureSet; readonly unoffered: FeatureSet }
  /** After FEATURES_OK the features are frozen; QEMU ignores the write (-EINVAL, unreported). */
  | { readonly kind: 'ignored-after-features-ok' };

/** The device features a driver reads; every modern transport hides the legacy-only bits. */
export function readDeviceFeatures(core: VirtioCore): FeatureSet {
  return modernDeviceFeatures(core.hostFeatures);
}

/** Whether the device pops and handles queue elements (QEMU skips notifications while broken). */
export function processesQueues(core: VirtioCore): boolean {
  return !core.broken;
}

/**
 * virtio_validate_features: the core's own rule first (a device offering ACCESS_PLATFORM must
 * have it acked), then the device's hook.
 */
function validateFeatures<D, E>(model: VirtioDeviceModel<D, E>, state: VirtioState<D>): FeatureValidation {
  const { hostFeatures: host, guestFeatures: guest } = state.core;
  if (host.has(VIRTIO_F_ACCESS_PLATFORM) && !guest.has(VIRTIO_F_ACCESS_PLATFORM)) {
    return { kind: 'invalid', reason: 'VIRTIO_F_ACCESS_PLATFORM offered but not accepted' };
  }
  return model.validateFeatures(state.device, { host, guest });
}

/** The driver writes the status register (virtio_set_status, then the transport's reset-on-0). */
export function writeStatus<D, E>(model: VirtioDeviceModel<D, E>, state: VirtioState<D>, value: DeviceStatus): Transition<D, E, StatusWrite> {
  const { core } = state;
  // Only the first FEATURES_OK write of a VERSION_1 driver is checked; legacy drivers have no
  // FEATURES_OK handshake (virtio 1.1 §3.1.2).
  const confirmsFeatures = core.guestFeatures.has(VIRTIO_F_VERSION_1) && !hasStatus(core.status, STATUS_FEATURES_OK) && hasStatus(value, STATUS_FEATURES_OK);
  const validation: FeatureValidation = confirmsFeatures ? validateFeatures(model, state) : { kind: 'valid' };
  // virtio_set_started: the driver setting DRIVER_OK starts the device.
  const starts = !hasStatus(core.status, STATUS_DRIVER_OK) && hasStatus(value, STATUS_DRIVER_OK);
  const [stored, outcome]: [VirtioCore, StatusWrite] =
    validation.kind === 'invalid'
      ? [core, { kind: 'features-refused', reason: validation.reason }]
      : [
          { ...core, status: value, startOnKick: core.startOnKick && !starts },
          { kind: 'stored', status: value },
        ];
  // The transport checks the status after the write, not the value written: a refused write
  // while the status was already 0 resets too.
  if (stored.status !== STATUS_RESET) {
    return { next: { ...state, core: stored }, outcome, effects: [] };
  }
  const reset = deviceReset(model, { ...state, core: stored }, 'driver');
  return { ...reset, outcome };
}

const LOW_WORD = 0xffffffffn;
const HIGH_WORD = LOW_WORD << 32n;

/**
 * Whether virtio_set_features(val) leaves start_on_kick set: it sets it when every bit of val is
 * offered, the device is not started and VERSION_1 is not among them.
 */
const setsStartOnKick = (core: VirtioCore, val: bigint): boolean =>
  (val & ~core.hostFeatures.word) === 0n && !hasStatus(core.status, STATUS_DRIVER_OK) && !FeatureSet.fromWord(val).has(VIRTIO_F_VERSION_1);

/**
 * The driver writes the driver-features word (virtio_set_features). Linux writes the low 32 bits
 * first, and the transport hands the device that half combined with the high half it already
 * holds (virtio-pci: the proxy's copy, which outlives a reset; virtio-ccw: the device's acked
 * features), so a driver's first negotiation sets start_on_kick on its way to VERSION_1.
 */
export function writeDriverFeatures<D, E>(
  model: VirtioDeviceModel<D, E>,
  state: VirtioState<D>,
  written: FeatureSet,
  transport: VirtioTransportKind,
): Transition<D, E, FeatureWrite> {
  const { core } = state;
  if (hasStatus(core.status, STATUS_FEATURES_OK)) {
    return { next: state, outcome: { kind: 'ignored-after-features-ok' }, effects: [] };
  }
  const effects: VirtioEffect[] = written.has(VIRTIO_F_BAD_FEATURE)
    ? [
        {
          kind: 'guest-error-log',
          message: `virtio_set_features: guest driver for ${model.name} has enabled UNUSED(30) feature bit!`,
        },
      ]
    : [];
  const features = written.intersection(core.hostFeatures);
  const heldHigh = transport === 'pci' ? core.pciFeaturesHigh << 32n : core.guestFeatures.word & HIGH_WORD;
  const lowHalf = heldHigh | (written.word & LOW_WORD);
  const startOnKick = core.startOnKick || setsStartOnKick(core, lowHalf) || setsStartOnKick(core, written.word);
  const pciFeaturesHigh = transport === 'pci' ? written.word >> 32n : core.pciFeaturesHigh;
  return {
    next: { ...state, core: { ...core, guestFeatures: features, startOnKick, pciFeaturesHigh } },
    outcome: { kind: 'stored', features, unoffered: written.minus(core.hostFeatures) },
    effects,
  };
}

/**
 * The end of virtio_load: start_on_kick is not migrated but recomputed, set when the loaded
 * device is not started and its acked features lack VERSION_1.
 */
export function loadedCore(core: VirtioCore): VirtioCore {
  return { ...core, startOnKick: !hasStatus(core.status, STATUS_DRIVER_OK) && !core.guestFeatures.has(VIRTIO_F_VERSION_1) };
}

/**
 * virtio_notify_config: a config-change interrupt and a new generation, but only once the driver
 * is up (before DRIVER_OK QEMU drops the notification and leaves the generation alone).
 */
export function notifyConfig(core: VirtioCore): CoreStep {
  if (!hasStatus(core.status, STATUS_DRIVER_OK)) return { core, effects: [] };
  const generation = (core.generation + 1) >>> 0;
  return { core: { ...core, generation }, effects: [{ kind: 'config-change', generation }] };
}

/**
 * virtio_error: the device detected a protocol violation. QEMU prints the message, marks the
 * device broken and, for a VERSION_1 driver, sets DEVICE_NEEDS_RESET and notifies the config
 * change (virtio 1.1 §2.1.2: the device MUST send a config-change notification when it sets it).
 */
export function virtioError(core: VirtioCore, message: string): CoreStep {
  const report: VirtioEffect = { kind: 'error-report', message };
  if (!core.guestFeatures.has(VIRTIO_F_VERSION_1)) {
    return { core: { ...core, broken: true }, effects: [report] };
  }
  const flagged = { ...core, status: withStatus(core.status, STATUS_DEVICE_NEEDS_RESET), broken: true };
  const notified = notifyConfig(flagged);
  return { core: notified.core, effects: [report, ...notified.effects] };
}

/** virtio_reset's effect on the core: host features and the config generation survive. */
const resetCore = (core: VirtioCore): VirtioCore => ({
  ...core,
  guestFeatures: FeatureSet.EMPTY,
  status: STATUS_RESET,
  broken: false,
  queueSel: 0,
  startOnKick: false,
});

/** A reset of this device alone: by the driver (status 0) or by its parent bus. */
export function deviceReset<D, E>(model: VirtioDeviceModel<D, E>, state: VirtioState<D>, cause: 'driver' | 'bus'): Transition<D, E, ResetRequest> {
  return dispatchReset(state, { kind: 'device', cause }, model.deviceReset(state.device));
}

/** A machine-wide reset reaching this device. */
export function systemReset<D, E>(model: VirtioDeviceModel<D, E>, state: VirtioState<D>, type: SystemResetType): Transition<D, E, ResetRequest> {
  return dispatchReset(state, { kind: 'system', type }, model.systemReset(state.device, type));
}

function dispatchReset<D, E>(state: VirtioState<D>, reset: ResetRequest, step: DeviceStep<D, E>): Transition<D, E, ResetRequest> {
  return {
    next: { core: resetCore(state.core), device: step.device },
    outcome: reset,
    effects: [{ kind: 'reset', reset }, ...step.effects],
  };
}
