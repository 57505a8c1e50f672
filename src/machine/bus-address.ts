/**
 * Where a bus puts a device, as QEMU 7.2 decides it when the device realizes:
 *
 * - a PCI bus (hw/pci/pci.c do_pci_register_device, pci_init_multifunction): `addr=` is
 *   taken as given; without it the first slot whose function 0 is free, from slot 0 in steps of
 *   8 devfns. The board's own functions (host bridge, south bridge) and QEMU's default devices
 *   hold their slots first. The dev path is "<bus path>:SS.F" (pcibus_get_dev_path).
 * - the virtual channel subsystem (hw/s390x/css.c css_create_sch): `devno=` is taken as given
 *   (refused if in use) with the first free subchannel; without it the first free subchannel
 *   of the default cssid and the first free device number from that subchannel's number. The
 *   dev path is "/cssid.ssid.devno" (virtual_css_bus_get_dev_path).
 *
 * Devices on a virtio bus take their proxy's dev path (virtio_bus_get_dev_path); devices on no
 * bus (pc-dimm) and the machine's own RAM have none.
 */
import { defineErrors, HotmemError, type Warning } from '../core/errors.js';
import { compareReleases, type Release } from '../core/release.js';
import type { QomObject } from '../qom/object.js';
import { BUS_ADDRESS, formatDevfn, MAX_SSID, pciFunction, pciSlot, type CssDevId, type DeviceBusAddress } from '../qom/qdev-address-props.js';
import type { BusAddressing } from './family.js';

const hex = (n: number) => n.toString(16);

export const busAddressErrors = defineErrors({
  'pci.no-slot': (a: { type: string }) => `PCI: no slot/function available for ${a.type}, all in use or reserved`,
  'pci.in-use': (a: { slot: number; fn: number; type: string; user: string; userId: string | undefined; namesId: boolean }) =>
    // 7.0 (Zhenzhong Duan, "pci: show id info when pci BDF conflict") adds the user's qdev.id,
    // printed with %s: an anonymous device's NULL id reads "(null)".
    `PCI: slot ${a.slot} function ${a.fn} not available for ${a.type}, in use by ${a.user}${a.namesId ? `,id=${a.userId ?? '(null)'}` : ''}`,
  'pci.hotplug-function0': (a: { slot: number; user: string; type: string }) =>
    `PCI: slot ${a.slot} function 0 already occupied by ${a.user}, new func ${a.type} cannot be exposed to guest.`,
  'pci.single-function': (a: { slot: number; fn: number }) => `PCI: single function device can't be populated in function ${hex(a.slot)}.${hex(a.fn)}`,
  'pci.function0-single': (a: { slot: number; fn: number }) =>
    `PCI: ${hex(a.slot)}.0 indicates single function, but ${hex(a.slot)}.${hex(a.fn)} is already populated.`,
  'pci.only-bridges': (a: { expander: string }) => `PCI: Only PCI/PCIe bridges can be plugged into ${a.expander}`,
  // 8.1 (ca92eb5def, "hw/pci: warn when PCIe device is plugged into non-zero slot of downstream port").
  'pci.port-slot': (a: { slot: number; type: string }) => `PCI: slot ${a.slot} is not valid for ${a.type}, parent device only allows plugging into slot 0.`,
  'css.devno-in-use': (a: CssDevId) => `Device ${hex(a.cssid)}.${hex(a.ssid)}.${hex(a.devno).padStart(4, '0')} already exists`,
  'css.no-free-subchannel': (a: CssDevId) => `No free subchannel found for ${hex(a.cssid)}.${hex(a.ssid)}.${hex(a.devno).padStart(4, '0')}`,
  'css.full': () => 'Virtual channel subsystem is full!',
});

/** A device, board function or default device holding an address on a bus. */
export interface BusOccupant {
  readonly address: DeviceBusAddress;
  /** The QOM type name ("in use by" names it). */
  readonly type: string;
  readonly id: string | undefined;
  /** PCI multifunction (QEMU_PCI_CAP_MULTIFUNCTION); false elsewhere. */
  readonly multifunction: boolean;
}

/** What the device asks of its bus. */
export interface PlugRequest {
  readonly type: string;
  readonly hotplugged: boolean;
  /** PCI: the `addr` property's devfn, -1 for the first free slot. */
  readonly devfn?: number;
  readonly multifunction?: boolean;
  /**
   * PCI: whether the device is a PCI Express one on this bus (QEMU_PCI_CAP_EXPRESS), undefined
   * where hotmem cannot tell (an opaque device that is not virtio).
   */
  readonly express?: boolean;
  /** PCI: a PCI bridge (TYPE_PCI_BRIDGE), which an expander bridge's root bus requires. */
  readonly bridge?: boolean;
  /** CCW: the `devno` property when set. */
  readonly devno?: CssDevId;
}

/** include/hw/s390x/css.h */
const MAX_SCHID = 0xffff;
const MAX_DEVNO = 0xffff;

export const pciDevPath = (busPath: string, devfn: number): string => `${busPath}:${formatDevfn(devfn)}`;

/** virtual_css_bus_get_dev_path: "/%02x.%1x.%04x". */
export const cssDevPath = (id: CssDevId): string => `/${hex(id.cssid).padStart(2, '0')}.${hex(id.ssid)}.${hex(id.devno).padStart(4, '0')}`;

/** The board's own functions on a PCI root bus, as occupants (with its USB controllers for -machine usb=on). */
export function boardOccupants(addressing: BusAddressing, usb: boolean): BusOccupant[] {
  if (addressing.kind !== 'pci') return [];
  return [...addressing.board, ...(usb ? addressing.usb : [])].map((f) => ({
    address: { kind: 'pci', devfn: f.devfn, devPath: pciDevPath(addressing.busPath, f.devfn) },
    type: f.type,
    id: undefined,
    multifunction: f.multifunction,
  }));
}

export interface BusPlacement {
  readonly address: DeviceBusAddress;
  readonly warnings: readonly Warning[];
}

/** The address a device gets on the bus (with QEMU's warnings about it), or QEMU's refusal. */
export function assignBusAddress(addressing: BusAddressing, request: PlugRequest, occupants: readonly BusOccupant[], release: Release): BusPlacement {
  return addressing.kind === 'pci'
    ? assignPci(addressing, request, occupants, release)
    : { address: assignCss(addressing.defaultCssid, request, occupants), warnings: [] };
}

function assignPci(
  addressing: Extract<BusAddressing, { kind: 'pci' }>,
  request: PlugRequest,
  occupants: readonly BusOccupant[],
  release: Release,
): BusPlacement {
  const at = (devfn: number) => occupants.find((o) => o.address.kind === 'pci' && o.address.devfn === devfn);
  const e = busAddressErrors;
  if (addressing.onlyBridges !== undefined && request.bridge !== true) throw e.error('pci.only-bridges', { expander: addressing.onlyBridges });
  let devfn = request.devfn ?? -1;
  if (devfn < 0) {
    // Only function 0 of each slot is looked at: a slot with just 2.3 taken still offers 2.0.
    let found: number | undefined;
    for (let candidate = 0; candidate < 256; candidate += 8) {
      if (!at(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) throw e.error('pci.no-slot', { type: request.type });
    devfn = found;
  } else {
    const user = at(devfn);
    if (user) {
      const namesId = compareReleases(release, { major: 7, minor: 0 }) >= 0;
      throw e.error('pci.in-use', { slot: pciSlot(devfn), fn: pciFunction(devfn), type: request.type, user: user.type, userId: user.id, namesId });
    }
    // pci_get_function_0: below a port, slot 0's function 0 is every function's.
    const function0 = at(addressing.port === true ? 0 : pciSlot(devfn) << 3);
    if (request.hotplugged && function0 && function0.address.kind === 'pci') {
      throw e.error('pci.hotplug-function0', { slot: pciSlot(function0.address.devfn), user: function0.type, type: request.type });
    }
  }
  // pci_init_multifunction: function 0 must allow other functions; a single-function device at
  // function 0 allows none.
  const slot = pciSlot(devfn);
  if (pciFunction(devfn) !== 0) {
    const function0 = at(slot << 3);
    if (function0 && !function0.multifunction) throw e.error('pci.single-function', { slot, fn: pciFunction(devfn) });
  } else if (!request.multifunction) {
    for (let fn = 1; fn < 8; fn++) if (at((slot << 3) | fn)) throw e.error('pci.function0-single', { slot, fn });
  }
  return { address: { kind: 'pci', devfn, devPath: pciDevPath(addressing.busPath, devfn) }, warnings: portSlotWarnings(addressing, request, slot, release) };
}

/**
 * A PCIe device below a port outside slot 0 is taken, with a warning from 8.1 on (devices with
 * ARI, which hotmem models none of, are exempt).
 */
function portSlotWarnings(addressing: Extract<BusAddressing, { kind: 'pci' }>, request: PlugRequest, slot: number, release: Release): Warning[] {
  if (addressing.port !== true || slot === 0 || compareReleases(release, { major: 8, minor: 1 }) < 0 || request.express === false) return [];
  if (request.express === undefined) {
    throw new HotmemError(
      'pci.express-unknown',
      `hotmem does not know whether ${request.type} is a PCI Express device, which decides whether QEMU warns about its slot ${slot} below a PCIe port; put it in slot 0`,
      { type: request.type, slot },
    );
  }
  return [busAddressErrors.warning('pci.port-slot', { slot, type: request.type })];
}

function assignCss(defaultCssid: number, request: PlugRequest, occupants: readonly BusOccupant[]): DeviceBusAddress {
  const ccw = occupants.flatMap((o) => (o.address.kind === 'ccw' ? [o.address] : []));
  const devnoUsed = (cssid: number, ssid: number, devno: number) => ccw.some((a) => a.id.cssid === cssid && a.id.ssid === ssid && a.id.devno === devno);
  const freeSchid = (cssid: number, ssid: number): number => {
    const used = new Set(ccw.filter((a) => a.id.cssid === cssid && a.id.ssid === ssid).map((a) => a.schid));
    let schid = 0;
    while (schid <= MAX_SCHID && used.has(schid)) schid++;
    return schid;
  };
  const placed = (id: CssDevId, schid: number): DeviceBusAddress => ({ kind: 'ccw', id, schid, devPath: cssDevPath(id) });
  const e = busAddressErrors;
  if (request.devno) {
    const id = request.devno;
    if (devnoUsed(id.cssid, id.ssid, id.devno)) throw e.error('css.devno-in-use', id);
    const schid = freeSchid(id.cssid, id.ssid);
    if (schid > MAX_SCHID) throw e.error('css.no-free-subchannel', id);
    return placed(id, schid);
  }
  // css_find_free_subch_and_devno: per subchannel set, the first free subchannel, then the
  // first free device number counting from that subchannel's number (wrapping at MAX_DEVNO).
  const cssid = defaultCssid;
  for (let ssid = 0; ssid <= MAX_SSID; ssid++) {
    const schid = freeSchid(cssid, ssid);
    if (schid > MAX_SCHID) continue;
    for (let round = 0; round <= MAX_DEVNO; round++) {
      const devno = (schid + round) % MAX_DEVNO;
      if (!devnoUsed(cssid, ssid, devno)) return placed({ cssid, ssid, devno }, schid);
    }
  }
  // QEMU would go on to the other cssids; 4 x 65536 devices are far beyond any modelled machine.
  throw e.error('css.full');
}

/**
 * qdev_get_dev_path: the dev path of the bus a device sits on, if that bus has one. A virtio
 * device on its proxy's virtio bus takes the proxy's path.
 */
export function qdevDevPath(device: QomObject): string | undefined {
  const address = device.slots.get(BUS_ADDRESS);
  if (address) return address.devPath;
  const view = device.model.view;
  const proxy = device.parent;
  if (proxy && view.isA(device.type, 'virtio-device') && view.isA(proxy.type, 'device')) return qdevDevPath(proxy);
  return undefined;
}
