/**
 * The one registry of event names. QMP events keep QEMU's names and data members; hotmem's own
 * events are kebab-case with -started/-finished/-failed for long operations. Every event is
 * stamped with simulated time, never the wall clock.
 */
import { EventEmitter } from 'eventemitter3';
import type { SimulatedClock } from './clock.js';
import type { SimNanos } from './units.js';

/** QMP events with their `data` members (qapi/*.json). */
export interface QmpEventData {
  readonly MEMORY_DEVICE_SIZE_CHANGE: { readonly id?: string; readonly size: number; readonly 'qom-path': string };
  readonly BALLOON_CHANGE: { readonly actual: number };
  readonly DEVICE_DELETED: { readonly device?: string; readonly path: string };
  readonly DUMP_COMPLETED: { readonly result: { readonly total: number; readonly status: string; readonly completed: number }; readonly error?: string };
  readonly MIGRATION: { readonly status: string };
  readonly SHUTDOWN: { readonly guest: boolean; readonly reason: string };
  readonly STOP: Record<string, never>;
  readonly RESUME: Record<string, never>;
}

export type QmpEventName = keyof QmpEventData;

/** An event as recorded: its name, data and the simulated time it happened at. */
export interface StampedEvent<N extends QmpEventName = QmpEventName> {
  readonly event: N;
  readonly data: QmpEventData[N];
  readonly at: SimNanos;
}

type Listeners = { [N in QmpEventName]: (event: StampedEvent<N>) => void };

export class EventBus {
  readonly #emitter = new EventEmitter<Listeners>();
  readonly #anyListeners = new Set<(event: StampedEvent) => void>();

  constructor(readonly clock: SimulatedClock) {}

  emit<N extends QmpEventName>(event: N, data: QmpEventData[N]): void {
    const stamped = { event, data, at: this.clock.now() } as StampedEvent<N>;
    (this.#emitter.emit as (name: N, e: StampedEvent<N>) => boolean)(event, stamped);
    for (const listener of this.#anyListeners) listener(stamped as StampedEvent);
  }

  on<N extends QmpEventName>(event: N, listener: (event: StampedEvent<N>) => void): () => void {
    (this.#emitter.on as (name: N, l: typeof listener) => unknown)(event, listener);
    return () => (this.#emitter.off as (name: N, l: typeof listener) => unknown)(event, listener);
  }

  /** Subscribes to every QMP event, in emission order. */
  onAny(listener: (event: StampedEvent) => void): () => void {
    this.#anyListeners.add(listener);
    return () => this.#anyListeners.delete(listener);
  }
}
