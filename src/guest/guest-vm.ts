/**
 * The VM a modelled guest runs in: the machine whose vCPUs run its code, whose RAM it reads and
 * writes, and whose devices its drivers talk to. A completed migration moves the VM to another
 * machine (real QEMU carries the guest's own state implicitly in the RAM it sends); the guest's
 * objects keep the timeline, memory and ports they were given, and those follow the VM: work
 * still due runs on the new machine's scheduler, accesses reach its RAM, requests and interrupts
 * its devices.
 */
import type { Timeline } from '../core/scheduler.js';
import type { Machine } from '../machine/machine.js';
import { guestMemoryPort } from '../machine/guest-memory.js';
import { machineRamLookup } from '../machine/ram-map.js';
import type { GuestMemoryPort } from './memory-port.js';

interface DueWork {
  readonly at: number;
  readonly run: () => void;
}

/** A port method that subscribes a listener and returns its unsubscribe function. */
type Subscriber = (...args: never[]) => () => void;

interface Subscription<P> {
  readonly subscribe: (port: P) => () => void;
  unsubscribe: () => void;
}

/**
 * A device port whose device the VM's move replaces with the same device on the new machine:
 * calls go to the device the VM has now; listeners subscribed through `subscribers` are moved
 * with it (an interrupt the new device raises reaches the driver).
 */
export class MovablePort<P extends object> {
  readonly port: P;
  #device: P;
  readonly #subscriptions = new Set<Subscription<P>>();

  constructor(device: P, subscribers: readonly (keyof P)[]) {
    this.#device = device;
    const names = new Set<PropertyKey>(subscribers);
    this.port = new Proxy(device, {
      get: (_, key) => {
        if (names.has(key)) return (...args: never[]) => this.#subscribe((d) => (d[key as keyof P] as Subscriber).apply(d, args));
        const value = this.#device[key as keyof P];
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(this.#device) : value;
      },
    });
  }

  moveTo(device: P): void {
    this.#device = device;
    for (const s of this.#subscriptions) {
      s.unsubscribe();
      s.unsubscribe = s.subscribe(device);
    }
  }

  #subscribe(subscribe: (device: P) => () => void): () => void {
    const s: Subscription<P> = { subscribe, unsubscribe: subscribe(this.#device) };
    this.#subscriptions.add(s);
    return () => {
      if (this.#subscriptions.delete(s)) s.unsubscribe();
    };
  }
}

export class GuestVm {
  #machine: Machine;
  /** Work the guest scheduled that has not run yet, in the order it was scheduled. */
  #due = new Set<DueWork>();
  readonly #moved: ((machine: Machine) => void)[] = [];

  readonly timeline: Timeline = {
    now: () => this.#machine.scheduler.now(),
    after: (delayNanos, run) => this.#schedule({ at: this.#machine.scheduler.now() + delayNanos, run }),
  };

  /** Accesses go to the RAM of the machine the VM runs on at the time. */
  readonly memory: GuestMemoryPort = guestMemoryPort(() => machineRamLookup(this.#machine));

  constructor(machine: Machine) {
    this.#machine = machine;
  }

  get machine(): Machine {
    return this.#machine;
  }

  /** Runs `moved` with the new machine whenever the VM moves (drivers rebind their ports there). */
  onMove(moved: (machine: Machine) => void): void {
    this.#moved.push(moved);
  }

  /**
   * The VM runs on `machine` from now on. Work still due is taken off the old scheduler (where it
   * becomes a no-op) and put on the new one at the same simulated time, or at once if the new
   * machine's clock is already past it.
   */
  moveTo(machine: Machine): void {
    if (machine === this.#machine) return;
    const old = this.#due;
    const due = [...old].sort((a, b) => a.at - b.at);
    old.clear();
    this.#due = new Set();
    this.#machine = machine;
    for (const moved of this.#moved) moved(machine);
    for (const work of due) this.#schedule({ at: Math.max(work.at, machine.scheduler.now()), run: work.run });
  }

  #schedule(work: DueWork): void {
    const due = this.#due;
    due.add(work);
    this.#machine.scheduler.after(work.at - this.#machine.scheduler.now(), () => {
      if (due.delete(work)) work.run();
    });
  }
}
