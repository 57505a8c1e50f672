/**
 * The driver side of feature negotiation (virtio 1.1+ §3.1.1), run against the device core: reset,
 * ACKNOWLEDGE, DRIVER, read the device features, write the subset the driver understands, set
 * FEATURES_OK and re-read it. Failure paths end as Linux's virtio_dev_probe does: the driver sets
 * FAILED and gives up (drivers/virtio/virtio.c, virtio_features_ok and its error path).
 */
import {
  deviceReset,
  readDeviceFeatures,
  writeDriverFeatures,
  writeStatus,
  type Transition,
  type VirtioDeviceModel,
  type VirtioState,
  type VirtioTransportKind,
} from './device-core.js';
import type { VirtioEffect } from './effects.js';
import type { FeatureSet } from './feature-set.js';
import { STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_FAILED, STATUS_FEATURES_OK, withStatus, type DeviceStatus } from './status.js';
import { VIRTIO_F_VERSION_1 } from './transport-features.js';

/** What a driver can use and what it cannot do without. */
export interface DriverFeatures {
  /** Every bit the driver understands, transport bits included. */
  readonly supported: FeatureSet;
  /** Bits without which the driver refuses the device (e.g. Linux's VERSION_1 rule under PV). */
  readonly required: FeatureSet;
}

/** How a negotiation ended. */
export type NegotiationOutcome =
  /**
   * The agreed features. `handshake` is `features-ok` when the device confirmed them and
   * `legacy` when VERSION_1 was not agreed, so there was no FEATURES_OK step to fail.
   */
  | { readonly kind: 'accepted'; readonly features: FeatureSet; readonly handshake: 'features-ok' | 'legacy' }
  /** FEATURES_OK did not stick on re-read; `reason` is the device's, which the guest never sees. */
  | { readonly kind: 'refused-by-device'; readonly proposed: FeatureSet; readonly reason: string }
  /** The device lacks bits the driver requires; the driver set FAILED without proposing anything. */
  | { readonly kind: 'driver-rejected'; readonly missing: FeatureSet };

/** Whether a features word a driver wants to write is one the device offered. */
export type SubsetCheck =
  | { readonly kind: 'subset' }
  /** virtio 1.1 §2.2.1: the driver MUST NOT accept a feature the device did not offer. */
  | { readonly kind: 'unoffered'; readonly extra: FeatureSet };

/** The driver-side subset rule, for driver models that build their own features word. */
export function checkDriverFeatures(offered: FeatureSet, proposed: FeatureSet): SubsetCheck {
  const extra = proposed.minus(offered);
  return extra.isEmpty() ? { kind: 'subset' } : { kind: 'unoffered', extra };
}

/** A conforming driver acks exactly what it understands of what was offered. */
export function proposeFeatures(offered: FeatureSet, supported: FeatureSet): FeatureSet {
  return offered.intersection(supported);
}

/**
 * Runs the driver's negotiation from reset up to the FEATURES_OK check. On `accepted` the device
 * is left at ACKNOWLEDGE|DRIVER|FEATURES_OK: device-specific setup and DRIVER_OK are the
 * driver's next steps.
 */
export function negotiate<D, E>(
  model: VirtioDeviceModel<D, E>,
  state: VirtioState<D>,
  driver: DriverFeatures,
  transport: VirtioTransportKind,
): Transition<D, E, NegotiationOutcome> {
  const effects: (VirtioEffect | E)[] = [];
  const run = <O>(t: Transition<D, E, O>): Transition<D, E, O> => {
    effects.push(...t.effects);
    return t;
  };
  const setStatus = (s: VirtioState<D>, bits: DeviceStatus) => run(writeStatus(model, s, withStatus(s.core.status, bits)));
  const done = (next: VirtioState<D>, outcome: NegotiationOutcome): Transition<D, E, NegotiationOutcome> => ({
    next,
    outcome,
    effects,
  });

  const reset = run(deviceReset(model, state, 'driver')).next;
  const driving = setStatus(setStatus(reset, STATUS_ACKNOWLEDGE).next, STATUS_DRIVER).next;

  const offered = readDeviceFeatures(driving.core);
  const missing = driver.required.minus(offered);
  if (!missing.isEmpty()) {
    return done(setStatus(driving, STATUS_FAILED).next, { kind: 'driver-rejected', missing });
  }

  const proposed = proposeFeatures(offered, driver.supported);
  const written = run(writeDriverFeatures(model, driving, proposed, transport)).next;
  if (!proposed.has(VIRTIO_F_VERSION_1)) {
    return done(written, { kind: 'accepted', features: written.core.guestFeatures, handshake: 'legacy' });
  }

  const confirm = setStatus(written, STATUS_FEATURES_OK);
  // The driver learns of a refusal by re-reading the status (virtio 1.1 §3.1.1 step 6): QEMU did
  // not store the write, so FEATURES_OK reads back clear.
  if (confirm.outcome.kind === 'features-refused') {
    const failed = setStatus(confirm.next, STATUS_FAILED).next;
    return done(failed, { kind: 'refused-by-device', proposed, reason: confirm.outcome.reason });
  }
  return done(confirm.next, { kind: 'accepted', features: confirm.next.core.guestFeatures, handshake: 'features-ok' });
}
