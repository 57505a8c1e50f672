/**
 * The buses controllers create (IDE, USB, SCSI, virtio-serial) and the backends devices on them
 * name, against the four binaries: bus names, IDE units, QEMU's refusals for buses, units,
 * missing drives, backend ids that name nothing or a chardev already taken, and MAC addresses.
 * The disk images are files this suite writes under /tmp (bound into the roots).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTranscripts, type Step } from './transcripts.js';

const dir = mkdtempSync('/tmp/hotmem-device-buses-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A -blockdev file node `f` on an image of its own: the real runs go in parallel, and each locks its image. */
function fileNode(name: string): string[] {
  const image = join(dir, `${name}.raw`);
  writeFileSync(image, Buffer.alloc(1 << 20));
  return ['-blockdev', `driver=file,filename=${image},node-name=f`];
}

const get = (id: string, property: string): Step => ['qom-get', { path: `/machine/peripheral/${id}`, property }];
const type = (id: string): Step => get(id, 'type');
const dev = (...specs: string[]) => specs.flatMap((s) => ['-device', s]);
const M = (machine: string) => ['-machine', machine];

describeTranscripts('conformance: non-PCI buses and backend references by release', [
  // IDE: the board's controllers
  ['pc: two CD-ROMs take ide.0 master and slave', [...M('pc'), ...dev('ide-cd,id=cd0', 'ide-cd,id=cd1')], [get('cd0', 'unit'), get('cd1', 'unit')]],
  ['pc: a free master below a given slave', [...M('pc'), ...dev('ide-cd,id=cd0,bus=ide.1,unit=1', 'ide-cd,id=cd1,bus=ide.1')], [get('cd1', 'unit')]],
  ['q35: without bus= the first AHCI port', [...M('q35'), ...dev('ide-cd,id=cd0,bus=ide.1', 'ide-cd,id=cd1')], [get('cd0', 'unit'), get('cd1', 'unit')]],
  ['q35: the last AHCI port', [...M('q35'), ...dev('ide-cd,id=cd0,bus=ide.5')], [get('cd0', 'unit')]],
  ['pc: a third CD-ROM on ide.0', [...M('pc'), ...dev('ide-cd', 'ide-cd', 'ide-cd')], []],
  ['q35: a second CD-ROM on ide.0', [...M('q35'), ...dev('ide-cd', 'ide-cd')], []],
  ['q35: no ide.6', [...M('q35'), ...dev('ide-cd,bus=ide.6')], []],
  ['q35: unit 1 on an AHCI port', [...M('q35'), ...dev('ide-cd,bus=ide.2,unit=1')], []],
  ['pc: unit 2', [...M('pc'), ...dev('ide-cd,bus=ide.0,unit=2')], []],
  ['pc: a unit taken', [...M('pc'), ...dev('ide-cd,bus=ide.0,unit=0', 'ide-cd,bus=ide.0,unit=0')], []],
  ['pc: a unit past 2^31', [...M('pc'), ...dev('ide-cd,unit=4294967294')], []],
  ['pc: an IDE device on the PCI bus', [...M('pc'), ...dev('ide-cd,bus=pci.0')], []],
  ['pc: a PCI device on an IDE bus', [...M('pc'), ...dev('virtio-rng-pci,bus=ide.0')], []],
  // IDE: controllers given with -device
  ['pc: an anonymous AHCI numbers its buses after the board', [...M('pc'), ...dev('ich9-ahci', 'ide-cd,id=cd0,bus=ide.7')], [get('cd0', 'unit')]],
  ['pc: no ide.8', [...M('pc'), ...dev('ich9-ahci', 'ide-cd,bus=ide.8')], []],
  ['pc: an AHCI with an id names its buses', [...M('pc'), ...dev('ich9-ahci,id=sata', 'ide-cd,id=cd0,bus=sata.5')], [get('cd0', 'unit')]],
  // drives
  ['a disk without a drive', [...M('pc'), ...dev('ide-hd,bus=ide.0')], []],
  ['a drive that names nothing', [...M('pc'), ...dev('ide-hd,bus=ide.0,drive=x')], []],
  ['a disk on a file node', [...M('pc'), ...fileNode('file'), ...dev('ide-hd,id=hd0,drive=f')], [get('hd0', 'unit'), get('hd0', 'drive')]],
  [
    'a disk on a raw node',
    [...M('q35'), ...fileNode('raw'), '-blockdev', 'driver=raw,file=f,node-name=r', ...dev('ide-hd,id=hd0,drive=r,bus=ide.2')],
    [get('hd0', 'unit')],
  ],
  // USB
  ['a USB device without a controller', [...M('pc'), ...dev('usb-tablet')], []],
  ['pc usb=on: the board UHCI', [...M('pc,usb=on'), ...dev('usb-tablet,id=t0', 'usb-tablet,id=t1,bus=usb-bus.0')], [type('t0'), type('t1')]],
  ['q35 usb=on: one bus for EHCI and its companions', [...M('q35,usb=on'), ...dev('usb-tablet,id=t0,bus=usb-bus.0')], [type('t0')]],
  ['q35 usb=on: no second USB bus', [...M('q35,usb=on'), ...dev('usb-tablet,bus=usb-bus.1')], []],
  ["libvirt's UHCI with an id", [...M('pc'), ...dev('piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2', 'usb-tablet,id=t0,bus=usb.0')], [type('t0')]],
  ['an xHCI controller', [...M('q35'), ...dev('qemu-xhci', 'usb-kbd,id=k0,bus=usb-bus.0')], [type('k0')]],
  // SCSI
  ['a SCSI device without a controller', [...M('pc'), ...dev('scsi-cd')], []],
  ['two anonymous virtio-scsi controllers', [...M('pc'), ...dev('virtio-scsi-pci', 'virtio-scsi-pci', 'scsi-cd,id=cd0,bus=scsi.1')], [type('cd0')]],
  ['no scsi.1 with one controller', [...M('pc'), ...dev('virtio-scsi-pci', 'scsi-cd,bus=scsi.1')], []],
  ['a virtio-scsi controller with an id', [...M('q35'), ...dev('virtio-scsi-pci,id=s', 'scsi-cd,id=cd0,bus=s.0')], [type('cd0')]],
  ['a SCSI disk without a drive', [...M('pc'), ...dev('virtio-scsi-pci', 'scsi-hd')], []],
  // virtio-serial and chardevs
  ['a port without virtio-serial', [...M('pc'), ...dev('virtserialport')], []],
  [
    'ports on virtio-serial, one on a chardev',
    [...M('pc'), '-chardev', 'null,id=c', ...dev('virtio-serial-pci,id=v', 'virtserialport,id=p0,bus=v.0,chardev=c', 'virtconsole,id=p1')],
    [get('p0', 'chardev'), type('p1')],
  ],
  ['a chardev that names nothing', [...M('pc'), ...dev('virtio-serial-pci', 'virtserialport,chardev=nope')], []],
  ['a chardev taken twice', [...M('pc'), '-chardev', 'null,id=c', ...dev('virtio-serial-pci', 'virtserialport,chardev=c', 'virtserialport,chardev=c')], []],
  // network: NICs without a netdev are warned of (no default network with -nodefaults)
  ['NICs without a peer', [...M('pc'), ...dev('e1000', 'e1000,id=n1', 'virtio-net-pci', 'e1000')], [type('n1')]],
  ['a netdev that names nothing', [...M('pc'), ...dev('e1000,netdev=n')], []],
  ["a proxy's netdev, named by its backend", [...M('pc'), ...dev('virtio-net-pci,netdev=n')], []],
  ["a proxy's MAC, named by its backend", [...M('pc'), ...dev('virtio-net-pci,mac=zz')], []],
  ['a virtio-blk without a drive', [...M('pc'), ...dev('virtio-blk-pci')], []],
  ["a virtio-blk's drive that names nothing", [...M('pc'), ...dev('virtio-blk-pci,drive=x')], []],
  ['a MAC that is no MAC', [...M('pc'), ...dev('e1000,mac=zz')], []],
  ['a MAC of five pairs and a digit', [...M('pc'), ...dev('e1000,mac=52:54:00:12:34:5')], []],
]);
