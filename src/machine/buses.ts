/**
 * Bus selection for -device / device_add (system/qdev-monitor.c qdev_device_add): an explicit
 * `bus=` must exist and fit the device; otherwise the first bus of the device's kind is used; a
 * hotplug needs a bus that supports it.
 */
import type { QomObject } from '../qom/object.js';
import type { TypeInfo } from '../qom/type-info.js';
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
export function selectBus(
  buses: readonly BusSpec[],
  device: TypeInfo,
  busKind: string | undefined,
  requested: string | undefined,
  hotplug: boolean,
): BusSpec | undefined {
  if (busKind === undefined) return undefined;
  // An opaque device's bus kind may be one QEMU's machine has and hotmem's does not model.
  if (device.opaque === true && !buses.some((b) => fits(b, busKind))) throw machineErrors.error('bus.not-modelled', { driver: device.name, busType: busKind });
  let bus: BusSpec | undefined;
  if (requested !== undefined) {
    bus = buses.find((b) => b.name === requested);
    if (!bus) throw machineErrors.error('bus.not-found', { bus: requested });
    if (!fits(bus, busKind)) throw machineErrors.error('bus.wrong-type', { bus: bus.kind, type: device.name });
  } else {
    bus = buses.find((b) => fits(b, busKind));
    if (!bus) throw machineErrors.error('bus.none-for-device', { driver: device.name, busType: busKind });
  }
  if (hotplug && bus.hotplug === 'none') throw machineErrors.error('bus.no-hotplug', { bus: bus.name });
  return bus;
}

/** A bridge's secondary bus: the bridge, the bus the bridge sits on, and when it was created. */
interface Secondary {
  readonly bridge: QomObject;
  readonly parent: BusSpec;
  readonly seq: number;
}

/**
 * The machine's buses as QEMU's qdev tree holds them: the board's root buses, and below them each
 * bridge's secondary bus, named as qbus_init names it.
 */
export class BusTree {
  readonly #roots: readonly BusSpec[];
  readonly #secondary = new Map<BusSpec, Secondary>();
  #seq = 0;
  /** Per bus class, the buses named by automatic id so far (BusClass.automatic_ids). */
  readonly #automatic: Record<'PCI' | 'PCIE', number>;

  constructor(roots: readonly BusSpec[]) {
    this.#roots = roots;
    this.#automatic = { PCI: automaticNames(roots, 'PCI'), PCIE: automaticNames(roots, 'PCIE') };
  }

  /**
   * qbus_find_recursive's order, in which `bus=` takes the first bus of the name and a device
   * without one the first of its kind: a bus before the buses below it, and below a bus the
   * newest device's first (qdev puts each new child at the head of its bus's list).
   */
  get searchOrder(): BusSpec[] {
    const below = (bus: BusSpec): BusSpec[] =>
      [...this.#secondary]
        .filter(([, s]) => s.parent === bus)
        .sort(([, a], [, b]) => b.seq - a.seq)
        .flatMap(([child]) => [child, ...below(child)]);
    return this.#roots.flatMap((root) => [root, ...below(root)]);
  }

  bridgeOf(bus: BusSpec): QomObject | undefined {
    return this.#secondary.get(bus)?.bridge;
  }

  /** The secondary buses the device created (none unless it is a bridge). */
  busesOf(bridge: QomObject): BusSpec[] {
    return [...this.#secondary].filter(([, s]) => s.bridge === bridge).map(([bus]) => bus);
  }

  /** Adds the bridge's secondary bus, named by the bridge's id or by automatic id. */
  addSecondary(bridge: QomObject, parent: BusSpec, spec: Omit<BusSpec, 'name'> & { readonly kind: 'PCI' | 'PCIE' }): BusSpec {
    const name = bridge.id ?? `${spec.kind.toLowerCase()}.${this.#automatic[spec.kind]++}`;
    const bus: BusSpec = { name, ...spec };
    this.#secondary.set(bus, { bridge, parent, seq: this.#seq++ });
    return bus;
  }

  remove(bus: BusSpec): void {
    this.#secondary.delete(bus);
  }
}
