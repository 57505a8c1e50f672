/**
 * Bus selection for -device / device_add (system/qdev-monitor.c qdev_device_add): an explicit
 * `bus=` must exist and fit the device; otherwise the first bus of the device's kind is used.
 * Whether a hotplug may use the bus the machine checks after the device's class (hotplug-check.ts).
 */
import type { QomObject } from '../qom/object.js';
import type { TypeInfo } from '../qom/type-info.js';
import { CHILD_BUS_KINDS } from './child-buses.js';
import { machineErrors } from './errors.js';
import type { BusSpec } from './family.js';
import { automaticNames } from './pci-bridges.js';

/** A PCIe bus is a PCI bus for the purpose of plugging PCI devices. */
export function fits(bus: BusSpec, deviceBus: string): boolean {
  return bus.kind === deviceBus || (deviceBus === 'PCI' && bus.kind === 'PCIE');
}

/**
 * `buses` in search order (BusTree.searchOrder); `busKind` is the device class's bus type,
 * inherited from the nearest ancestor that sets one.
 */
export function selectBus(buses: readonly BusSpec[], device: TypeInfo, busKind: string | undefined, requested: string | undefined): BusSpec | undefined {
  if (busKind === undefined) return undefined;
  // An opaque device's bus kind may be one QEMU's machine has and hotmem's does not model; the
  // controllers' buses (child-buses.ts) are modelled wherever QEMU has them.
  if (device.opaque === true && !(CHILD_BUS_KINDS as readonly string[]).includes(busKind) && !buses.some((b) => fits(b, busKind)))
    throw machineErrors.error('bus.not-modelled', { driver: device.name, busType: busKind });
  let bus: BusSpec | undefined;
  if (requested !== undefined) {
    bus = buses.find((b) => b.name === requested);
    if (!bus) throw machineErrors.error('bus.not-found', { bus: requested });
    if (!fits(bus, busKind)) throw machineErrors.error('bus.wrong-type', { bus: bus.kind, type: device.name });
  } else {
    bus = buses.find((b) => fits(b, busKind));
    if (!bus) throw machineErrors.error('bus.none-for-device', { driver: device.name, busType: busKind });
  }
  return bus;
}

/** A bus a device created: the device, the bus the device sits on, and when it was created. */
interface Secondary {
  readonly bridge: QomObject;
  readonly parent: BusSpec;
  readonly seq: number;
  /** pci_bus_num as a new PCI expander bridge compares it: a bridge's unset secondary bus number (0), an expander's bus_nr. */
  readonly number: number;
  /** An expander bridge's root bus, whose host bridge sits on the system bus beside the board's. */
  readonly hostRoot: boolean;
}

/** How a new bus is named and numbered. */
export interface NewBus {
  /** An explicit name (the bridge's id, pxb's pxb-internal); else qbus's automatic id of `busClass`. */
  readonly name: string | undefined;
  /** The bus's QOM class in lowercase (pci, pcie, pxb-pcie-bus), whose counter names unnamed buses. */
  readonly busClass: string;
  readonly number: number;
  readonly hostRoot: boolean;
}

/**
 * The machine's buses as QEMU's qdev tree holds them: the board's root buses, each bridge's
 * secondary bus below the bus the bridge is on, and the root buses of PCI expander bridges.
 */
export class BusTree {
  readonly #roots: readonly BusSpec[];
  readonly #secondary = new Map<BusSpec, Secondary>();
  #seq = 0;
  /** Per bus class, the buses named by automatic id so far (BusClass.automatic_ids). */
  readonly #automatic = new Map<string, number>();

  constructor(roots: readonly BusSpec[]) {
    this.#roots = roots;
    for (const kind of ['PCI', 'PCIE'] as const) this.#automatic.set(kind.toLowerCase(), automaticNames(roots, kind));
  }

  /**
   * qbus_find_recursive's order from the system bus, in which `bus=` takes the first bus of the
   * name and a device without one the first of its kind: a bus before the buses below it, and
   * below a bus the newest device's first (qdev puts each new child at the head of its bus's
   * list). So an expander bridge's host, newer than the board's, is searched first.
   */
  get searchOrder(): BusSpec[] {
    const newestFirst = (keep: (s: Secondary) => boolean) =>
      [...this.#secondary]
        .filter(([, s]) => keep(s))
        .sort(([, a], [, b]) => b.seq - a.seq)
        .map(([bus]) => bus);
    const below = (bus: BusSpec): BusSpec[] => newestFirst((s) => s.parent === bus && !s.hostRoot).flatMap((child) => [child, ...below(child)]);
    return [...newestFirst((s) => s.hostRoot), ...this.#roots].flatMap((root) => [root, ...below(root)]);
  }

  bridgeOf(bus: BusSpec): QomObject | undefined {
    return this.#secondary.get(bus)?.bridge;
  }

  /** The board's own root buses (not an expander's). */
  isBoardRoot(bus: BusSpec): boolean {
    return this.#roots.includes(bus);
  }

  /** The buses the device created (none unless it is a bridge). */
  busesOf(bridge: QomObject): BusSpec[] {
    return [...this.#secondary].filter(([, s]) => s.bridge === bridge).map(([bus]) => bus);
  }

  /** pci_bus_num of the buses registered below the bus (PCIBus.child). */
  numbersBelow(bus: BusSpec): number[] {
    return [...this.#secondary.values()].filter((s) => s.parent === bus).map((s) => s.number);
  }

  add(bridge: QomObject, parent: BusSpec, spec: Omit<BusSpec, 'name'>, how: NewBus): BusSpec {
    const name = how.name ?? this.#automaticName(how.busClass);
    const bus: BusSpec = { name, ...spec };
    this.#secondary.set(bus, { bridge, parent, seq: this.#seq++, number: how.number, hostRoot: how.hostRoot });
    return bus;
  }

  #automaticName(busClass: string): string {
    const n = this.#automatic.get(busClass) ?? 0;
    this.#automatic.set(busClass, n + 1);
    return `${busClass}.${n}`;
  }

  remove(bus: BusSpec): void {
    this.#secondary.delete(bus);
  }
}
