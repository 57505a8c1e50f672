/**
 * Bus selection for -device / device_add (system/qdev-monitor.c qdev_device_add): an explicit
 * `bus=` must exist and fit the device; otherwise the first bus of the device's kind is used; a
 * hotplug needs a bus that supports it.
 */
import type { TypeInfo } from '../qom/type-info.js';
import { machineErrors } from './errors.js';
import type { BusSpec } from './family.js';

/** A PCIe bus is a PCI bus for the purpose of plugging PCI devices. */
export function fits(bus: BusSpec, deviceBus: string): boolean {
  return bus.kind === deviceBus || (deviceBus === 'PCI' && bus.kind === 'PCIE');
}

/** `busKind` is the device class's bus type, inherited from the nearest ancestor that sets one. */
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
