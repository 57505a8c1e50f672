/**
 * What device_del does once its checks pass (qmp_device_del, qdev_unplug): the device's hotplug
 * handler either unplugs it at once or only asks the guest to eject it.
 */
import { compareReleases, type Release } from '../core/release.js';
import type { BusHotplug } from './family.js';

export type UnplugRoute =
  /** No unplug_request: hotplug_handler_unplug, then object_unparent; the device is gone when device_del returns. */
  | { readonly kind: 'immediate' }
  /**
   * unplug_request: the guest is told (an ACPI event) and the device stays until the guest ejects
   * it, which a guest without an operating system never does. `pending` is the device's
   * pending_deleted_event, which refuses a second device_del and virtio-mem's requested-size.
   */
  | { readonly kind: 'guest-eject'; readonly pending: boolean };

/**
 * A device on a bus goes the bus's way. A device on no bus (a DIMM) goes through the machine's own
 * handler, ACPI memory hotplug, which sets no pending flag: the real 5.2, 7.2, 10.0 and 11.1 all
 * take a second device_del of a DIMM waiting for its eject. ACPI PCI hotplug sets the flag since
 * 6.2 (acpi_pcihp_device_unplug_request_cb, for virtio-net failover), the release in which
 * qmp_device_del began refusing a device already being unplugged. A PCIe slot sets it in every
 * modelled release and, from 6.2 (0d33415a4e "pcie: fast unplug when slot power is off"), unplugs
 * a device whose slot no guest has powered on at once; an SHPC slot does that in 5.2 already and
 * sets no flag. A slot is powered when its device was there at reset, or by a guest's hotplug
 * driver.
 */
export function unplugRoute(busHotplug: Exclude<BusHotplug, 'none' | 'pcie-slot-off'> | undefined, release: Release, slotPowered: boolean): UnplugRoute {
  switch (busHotplug) {
    case undefined:
      return { kind: 'guest-eject', pending: false };
    case 'immediate':
      return { kind: 'immediate' };
    case 'acpi-pcihp':
      return { kind: 'guest-eject', pending: compareReleases(release, { major: 6, minor: 2 }) >= 0 };
    case 'pcie-slot':
      return !slotPowered && compareReleases(release, { major: 6, minor: 2 }) >= 0 ? { kind: 'immediate' } : { kind: 'guest-eject', pending: true };
    case 'shpc':
      return slotPowered ? { kind: 'guest-eject', pending: false } : { kind: 'immediate' };
  }
}
