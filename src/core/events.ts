/**
 * The one registry of event names. QMP events keep QEMU's names and data members; hotmem's own
 * events are kebab-case with -started/-finished/-failed for long operations. Every event is
 * stamped with simulated time, never the wall clock.
 */
import { EventEmitter } from 'eventemitter3';
import type { SimulatedClock } from './clock.js';
import type { Scheduler } from './scheduler.js';
import type { SimNanos } from './units.js';

/** QMP events with their `data` members (qapi/*.json). */
export interface QmpEventData {
  readonly MEMORY_DEVICE_SIZE_CHANGE: { readonly id?: string; readonly size: number; readonly 'qom-path': string };
  readonly BALLOON_CHANGE: { readonly actual: number };
  readonly DEVICE_DELETED: { readonly device?: string; readonly path: string };
  readonly DUMP_COMPLETED: { readonly result: { readonly total: number; readonly status: string; readonly completed: number }; readonly error?: string };
  readonly MIGRATION: { readonly status: string };
  readonly MIGRATION_PASS: { readonly pass: number };
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

/**
 * QEMU's monitor throttles some events (monitor/monitor.c monitor_qapi_event_conf): the first is
 * sent at once, later ones within the period are held and only the latest is sent when it ends,
 * keeping the timestamp it was raised with. MEMORY_DEVICE_SIZE_CHANGE is throttled per qom-path.
 */
const THROTTLE_NANOS: Partial<Record<QmpEventName, number>> = {
  MEMORY_DEVICE_SIZE_CHANGE: 1_000_000_000,
  BALLOON_CHANGE: 1_000_000_000,
};

function throttleKey(event: StampedEvent): string {
  return event.event === 'MEMORY_DEVICE_SIZE_CHANGE' ? `${event.event}:${(event.data as QmpEventData['MEMORY_DEVICE_SIZE_CHANGE'])['qom-path']}` : event.event;
}

export class EventBus {
  readonly #emitter = new EventEmitter<Listeners>();
  readonly #anyListeners = new Set<(event: StampedEvent) => void>();
  /** Throttle periods in progress, with the latest held event of each. */
  readonly #throttled = new Map<string, StampedEvent | undefined>();

  constructor(
    readonly clock: SimulatedClock,
    readonly scheduler: Scheduler,
  ) {}

  emit<N extends QmpEventName>(event: N, data: QmpEventData[N]): void {
    const stamped = { event, data, at: this.clock.now() } as StampedEvent;
    const period = THROTTLE_NANOS[event];
    if (period === undefined) {
      this.#deliver(stamped);
      return;
    }
    const key = throttleKey(stamped);
    if (this.#throttled.has(key)) {
      this.#throttled.set(key, stamped);
      return;
    }
    this.#deliver(stamped);
    this.#throttled.set(key, undefined);
    const endPeriod = () => {
      const held = this.#throttled.get(key);
      if (held === undefined) {
        this.#throttled.delete(key);
        return;
      }
      this.#deliver(held);
      this.#throttled.set(key, undefined);
      this.scheduler.after(period, endPeriod);
    };
    this.scheduler.after(period, endPeriod);
  }

  #deliver(stamped: StampedEvent): void {
    (this.#emitter.emit as (name: QmpEventName, e: StampedEvent) => boolean)(stamped.event, stamped);
    for (const listener of this.#anyListeners) listener(stamped);
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
