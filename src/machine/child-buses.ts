/**
 * The non-PCI buses a controller creates as it realizes (qbus_init under the device), so that
 * the devices that go on them (ide-hd, usb-tablet, scsi-cd, virtserialport) find one: IDE with
 * its units, USB, SCSI and virtio-serial. The board's own controllers (pc's PIIX IDE, q35's
 * AHCI, the USB controllers of -machine usb=on) create theirs with the machine.
 *
 * What a device on them occupies is modelled for IDE only (master and slave units, as
 * ide_qdev_realize assigns them). A USB bus never runs out (usb_claim_port chains a hub onto a
 * full bus), SCSI targets and virtio-serial port numbers are not modelled.
 */
import { HotmemError } from '../core/errors.js';
import type { Arch } from '../core/arch.js';
import type { Release } from '../core/release.js';
import { deviceData } from '../qom/device-data/load.js';
import type { BusSpec } from './family.js';

/** TYPE_IDE_BUS, TYPE_USB_BUS, TYPE_SCSI_BUS, TYPE_VIRTIO_SERIAL_BUS. */
export type ChildBusKind = 'IDE' | 'usb-bus' | 'SCSI' | 'virtio-serial-bus';

export const CHILD_BUS_KINDS: readonly ChildBusKind[] = ['IDE', 'usb-bus', 'SCSI', 'virtio-serial-bus'];

interface Controller {
  readonly kind: ChildBusKind;
  readonly count: number;
  /** IDE: units per bus (ide_bus_init's max_units). */
  readonly units?: number;
}

/** Controllers by QOM type (a type or its ancestor), the first match winning. */
const CONTROLLERS: ReadonlyArray<readonly [type: string, controller: Controller]> = [
  // hw/ide/ich.c: one bus per AHCI port, one device on each.
  ['ich9-ahci', { kind: 'IDE', count: 6, units: 1 }],
  // hw/ide/pci.c's PCI IDE functions (PIIX and the others): two channels, master and slave.
  ['pci-ide', { kind: 'IDE', count: 2, units: 2 }],
  ['pci-uhci-usb', { kind: 'usb-bus', count: 1 }],
  ['pci-ohci', { kind: 'usb-bus', count: 1 }],
  ['pci-ehci-usb', { kind: 'usb-bus', count: 1 }],
  ['pci-xhci', { kind: 'usb-bus', count: 1 }],
  ['virtio-scsi-pci-base', { kind: 'SCSI', count: 1 }],
  ['virtio-scsi-ccw', { kind: 'SCSI', count: 1 }],
  ['virtio-serial-pci-base', { kind: 'virtio-serial-bus', count: 1 }],
  ['virtio-serial-ccw', { kind: 'virtio-serial-bus', count: 1 }],
];

/** Hotplug: IDE buses have no hotplug handler; the USB, SCSI and virtio-serial buses unplug at once. */
const HOTPLUG: Readonly<Record<ChildBusKind, BusSpec['hotplug']>> = {
  IDE: 'none',
  'usb-bus': 'immediate',
  SCSI: 'immediate',
  'virtio-serial-bus': 'immediate',
};

/** A controller instance: its type, its id, and, for a USB controller, whether `masterbus` makes it a companion. */
export interface ControllerInstance {
  readonly type: string;
  readonly id: string | undefined;
  readonly companion: boolean;
}

/**
 * The buses the controller creates, named as qbus_init_internal names them: "<id>.<n>" under a
 * device with an id, otherwise the bus type in lower case with the type's next automatic number
 * (`autoIds` counts them per bus type for the machine). A USB companion (masterbus set) attaches
 * its ports to its master's bus and creates none.
 */
export function controllerBuses(instance: ControllerInstance, release: Release, arch: Arch, autoIds: Map<ChildBusKind, number>): BusSpec[] {
  const data = deviceData(release, arch);
  const controller = CONTROLLERS.find(([type]) => data?.isA(instance.type, type))?.[1];
  if (!controller || (controller.kind === 'usb-bus' && instance.companion)) return [];
  return Array.from({ length: controller.count }, (_, n) => {
    let name: string;
    if (instance.id === undefined) {
      const next = autoIds.get(controller.kind) ?? 0;
      autoIds.set(controller.kind, next + 1);
      name = `${controller.kind.toLowerCase()}.${next}`;
    } else {
      name = `${instance.id}.${n}`;
    }
    return { name, kind: controller.kind, hotplug: HOTPLUG[controller.kind], ...(controller.units === undefined ? {} : { units: controller.units }) };
  });
}

/** The `unit` property's default: -1 as the uint32 it is. */
const UNIT_AUTO = 0xffffffff;

/**
 * ide_qdev_realize: without `unit` the master if free, else the slave; then the unit must exist
 * on the bus and be free. QEMU prints the uint32 with %d.
 */
export function ideUnit(requested: number, units: number, taken: ReadonlySet<number>): number {
  const unit = requested === UNIT_AUTO ? (taken.has(0) ? 1 : 0) : requested;
  if (unit >= units) throw new HotmemError('ide.no-unit', `Can't create IDE unit ${unit | 0}, bus supports only ${units} units`, { unit, units });
  if (taken.has(unit)) throw new HotmemError('ide.unit-in-use', `IDE unit ${unit} is in use`, { unit });
  return unit;
}

/**
 * Devices whose realize refuses to go without a drive (ide_dev_initfn, scsi_realize,
 * virtio_blk_device_realize), and how they say it; a virtio proxy by its backend's type.
 */
const DRIVE_REQUIRED: ReadonlyArray<readonly [type: string, message: string]> = [
  ['ide-hd', 'No drive specified'],
  ['ide-cf', 'No drive specified'],
  ['ide-drive', 'No drive specified'],
  ['scsi-hd', 'drive property not set'],
  ['virtio-blk-device', 'drive property not set'],
];

/** The device's realize refusal for a missing drive, if it has one (`type`: propertyOwner's). */
export function missingDrive(type: string, drive: unknown): HotmemError | undefined {
  const message = DRIVE_REQUIRED.find(([t]) => t === type)?.[1];
  return message !== undefined && (drive === undefined || drive === '') ? new HotmemError('device.no-drive', message, { type }) : undefined;
}
