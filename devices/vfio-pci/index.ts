/**
 * vfio-pci (and vfio-pci-nohotplug): a host PCI device assigned to the guest. Its property table
 * is the release's, from the device data (compat/devices/), like an opaque device's; what hotmem
 * models is what the assignment does to guest memory: the device must exist on the host with an
 * IOMMU group (realize.ts), its container takes a RAM discard counter (discard-coordination.ts),
 * and it maps and so pins all guest RAM for DMA (dma.ts), which makes the balloon free nothing.
 */
import { key } from '../../src/core/keys.js';
import type { DiscardUse } from '../../src/machine/discard-coordination.js';
import { ramDiscardCoordination, ramListeners, takeDiscardUse } from '../../src/machine/discard-coordination.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import { MACHINE_SERVICE } from '../../src/machine/machine.js';
import { VfioDma } from '../../src/host/vfio.js';
import type { ObjectModel } from '../../src/qom/object-model.js';
import type { QomObject } from '../../src/qom/object.js';
import { dataDeviceType } from '../../src/qom/opaque-device.js';
import type { TypeFallback } from '../../src/qom/registry.js';
import { VfioListener } from './dma.js';
import { parseHostProperty } from './host-address.js';
import { balloonCheckFirst, checkBalloonAllowed, findHostDevice, iommuGroup, vfioErrors, type FoundDevice } from './realize.js';

/** A group the process has opened: its devices and the discard counter its container took. */
interface VfioGroup {
  readonly devices: Set<string>;
  /** The counter, until x-balloon-allowed on a mediated device gives it back. */
  discard: Extract<DiscardUse, { kind: 'taken' }> | undefined;
}

/** The VFIO side of one QEMU process: its groups and, while a physical device is attached, its container's DMA. */
interface VfioProcess {
  readonly groups: Map<number, VfioGroup>;
  /** Attached devices that pin (physical, not mediated). */
  pinning: number;
  listener: VfioListener | undefined;
}

const PROCESS = key<VfioProcess>('vfio process');
const ATTACHED = key<{ readonly found: FoundDevice; readonly group: number }>('vfio attached device');

function vfioProcess(model: ObjectModel): VfioProcess {
  let found = model.services.get(PROCESS);
  if (!found) {
    found = { groups: new Map(), pinning: 0, listener: undefined };
    model.services.set(PROCESS, found);
  }
  return found;
}

const text = (device: QomObject, name: string): string | undefined => {
  const value = device.stored(name);
  return value === undefined || value === '' ? undefined : String(value);
};

function realize(device: QomObject): void {
  const model = device.model;
  const r = model.env.release;
  const host = model.services.get(HOST_PROCESS)?.host;
  const files = host?.files;
  const found = findHostDevice(
    { host: text(device, 'host'), sysfsdev: text(device, 'sysfsdev'), fd: text(device, 'fd') },
    { pciDevices: host?.pciDevices ?? [], stat: files?.stat ? (path) => files.stat!(path) : undefined },
    r,
  );
  const balloonAllowed = device.get('x-balloon-allowed') === true;
  if (balloonCheckFirst(r)) checkBalloonAllowed(found, balloonAllowed);
  const groupId = iommuGroup(found);
  const vfio = vfioProcess(model);
  let group = vfio.groups.get(groupId);
  const fresh = group === undefined;
  if (!group) {
    // vfio_connect_container: a new group's container takes the counter.
    const use = takeDiscardUse(ramDiscardCoordination(model), 'vfio-type1', r);
    if (use.kind === 'refused') throw vfioErrors.error('vfio.container', { name: found.name, group: groupId, reason: use.message });
    group = { devices: new Set(), discard: use };
  }
  const giveUp = () => {
    if (fresh) group.discard?.release();
  };
  if (group.devices.has(found.name)) {
    giveUp();
    throw vfioErrors.error('vfio.already-attached', { name: found.name });
  }
  try {
    checkBalloonAllowed(found, balloonAllowed);
  } catch (e) {
    giveUp();
    throw e;
  }
  vfio.groups.set(groupId, group);
  group.devices.add(found.name);
  // vfio_get_device: a group whose device allows discards gives its counter back.
  if (balloonAllowed) {
    group.discard?.release();
    group.discard = undefined;
  }
  device.slots.set(ATTACHED, { found, group: groupId });
  if (found.mdev) return;
  vfio.pinning++;
  const machine = model.services.get(MACHINE_SERVICE);
  const process = model.services.get(HOST_PROCESS);
  if (!vfio.listener && machine && process) {
    vfio.listener = new VfioListener(machine, new VfioDma(process));
    ramListeners(model).add(vfio.listener);
  }
  try {
    vfio.listener?.sync();
  } catch (e) {
    unrealize(device);
    throw e;
  }
}

function unrealize(device: QomObject): void {
  const attached = device.slots.get(ATTACHED);
  if (!attached) return;
  const { found } = attached;
  const vfio = vfioProcess(device.model);
  const group = vfio.groups.get(attached.group)!;
  group.devices.delete(found.name);
  if (group.devices.size === 0) {
    group.discard?.release();
    vfio.groups.delete(attached.group);
  }
  if (found.mdev) return;
  vfio.pinning--;
  if (vfio.pinning === 0 && vfio.listener) {
    vfio.listener.close();
    ramListeners(device.model).delete(vfio.listener);
    vfio.listener = undefined;
  }
}

/**
 * The VFIO PCI types, built from the release's data with vfio-pci's behaviour (the data's
 * hotpluggable flag is false for vfio-pci-nohotplug: hw/vfio/pci.c vfio_pci_nohotplug_dev_class_init).
 */
const VFIO_PCI_TYPES: readonly string[] = ['vfio-pci', 'vfio-pci-nohotplug'];

/**
 * x86_64 only: on s390x a PCI device sits on the zPCI bus (s390-pcihost), which hotmem does not
 * model, so there vfio-pci stays refused by name.
 */
export const vfioPciType: TypeFallback = (name, env, modelled) => {
  if (!VFIO_PCI_TYPES.includes(name) || env.target !== 'x86_64') return undefined;
  return dataDeviceType(name, env, modelled, {
    realize,
    unrealize,
    properties: { host: (def) => ({ ...def, parse: (obj, input) => parseHostProperty(obj.type, input) }) },
  });
};
