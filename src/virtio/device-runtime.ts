/**
 * What every realized virtio device shares at run time: its core and device state behind the
 * transport registers a driver reads and writes (status, features), the config-change interrupt
 * and system reset. A device adds its config space, its queues and the effects only it knows;
 * every transition of the pure core lands here, so a device cannot forget half of one.
 */
import {
  createCore,
  loadedCore,
  readDeviceFeatures,
  systemReset,
  writeDriverFeatures,
  writeStatus,
  type CoreStep,
  type VirtioCore,
  type VirtioDeviceModel,
  type VirtioState,
  type VirtioTransportKind,
} from './device-core.js';
import type { SystemResetType, VirtioEffect } from './effects.js';
import type { FeatureSet } from './feature-set.js';
import type { DeviceStatus } from './status.js';

export type { VirtioTransportKind };

export abstract class VirtioDeviceRuntime<D, E> {
  #virtio: VirtioState<D>;
  readonly #configListeners = new Set<() => void>();
  /** The device's hooks into the pure core (feature validation, reset). */
  protected abstract readonly model: VirtioDeviceModel<D, E>;
  /** The transport the device is plugged into (its proxy). */
  protected abstract readonly transport: VirtioTransportKind;

  protected constructor(state: D, hostFeatures: FeatureSet) {
    this.#virtio = { core: createCore(hostFeatures), device: state };
  }

  get state(): D {
    return this.#virtio.device;
  }

  get hostFeatures(): FeatureSet {
    return this.#virtio.core.hostFeatures;
  }

  get guestFeatures(): FeatureSet {
    return this.#virtio.core.guestFeatures;
  }

  get broken(): boolean {
    return this.#virtio.core.broken;
  }

  /** vdev->start_on_kick, as x-query-virtio-status reports it. */
  get startOnKick(): boolean {
    return this.#virtio.core.startOnKick;
  }

  // ---- the transport, as the driver sees it ----------------------------------------------

  readStatus(): DeviceStatus {
    return this.#virtio.core.status;
  }

  writeStatus(status: DeviceStatus): void {
    this.#apply(writeStatus(this.model, this.#virtio, status));
  }

  readDeviceFeatures(): FeatureSet {
    return readDeviceFeatures(this.#virtio.core);
  }

  writeDriverFeatures(features: FeatureSet): void {
    this.#apply(writeDriverFeatures(this.model, this.#virtio, features, this.transport));
  }

  /** Migration replayed the source's features and status: the core settles as virtio_load leaves it. */
  finishLoad(): void {
    this.#virtio = { ...this.#virtio, core: loadedCore(this.#virtio.core) };
  }

  setUpQueue(index: number): void {
    if (this.transport === 'pci') this.#virtio = { ...this.#virtio, core: { ...this.#virtio.core, queueSel: index } };
  }

  /** vdev->queue_sel, as x-query-virtio-status reports it. */
  get queueSel(): number {
    return this.#virtio.core.queueSel;
  }

  onConfigChange(listener: () => void): () => void {
    this.#configListeners.add(listener);
    return () => this.#configListeners.delete(listener);
  }

  systemReset(type: SystemResetType): void {
    this.#apply(systemReset(this.model, this.#virtio, type));
  }

  // ---- for the device ----------------------------------------------------------------------

  protected get core(): VirtioCore {
    return this.#virtio.core;
  }

  /** Takes a step of the core alone (a config notification, a device error) and carries out its effects. */
  protected applyCoreStep(step: CoreStep): void {
    this.#apply({ next: { ...this.#virtio, core: step.core }, effects: step.effects });
  }

  /** The config-change interrupt, raised for a `config-change` effect. */
  protected raiseConfigChange(): void {
    for (const listener of [...this.#configListeners]) listener();
  }

  /** Carries out effects on the host and the machine, in order. */
  protected abstract applyEffects(effects: readonly (VirtioEffect | E)[]): void;

  #apply(transition: { readonly next: VirtioState<D>; readonly effects: readonly (VirtioEffect | E)[] }): void {
    this.#virtio = transition.next;
    this.applyEffects(transition.effects);
  }
}
