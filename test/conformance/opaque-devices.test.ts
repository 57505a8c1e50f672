/**
 * Opaque devices (device types hotmem has no model of, built from the release's device data)
 * against the four binaries: their PCI slots, their defaults read back with qom-get (a uint64 of
 * 2^63-1 exactly), values set and refused by type, unknown properties, and where they appear in
 * /machine/peripheral.
 */
import { describeTranscripts, type Step } from './transcripts.js';

const get = (id: string, property: string): Step => ['qom-get', { path: `/machine/peripheral/${id}`, property }];
const dev = (spec: string) => ['-device', spec];
const UHCI = 'piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2';

describeTranscripts(
  'conformance: opaque devices by release',
  [
    [
      "libvirt's USB controller beside PIIX3",
      dev(UHCI),
      [get('usb', 'addr'), get('usb', 'maxframes'), get('usb', 'bandwidth'), ['qom-list', { path: '/machine/peripheral' }]],
    ],
    ['the first free slot', [...dev('i6300esb,id=wd'), ...dev('virtio-rng-pci,id=rng')], [get('wd', 'addr'), get('rng', 'addr')]],
    ['a uint64 default past 2^53', dev('virtio-rng-pci,id=rng'), [get('rng', 'max-bytes'), get('rng', 'period')]],
    ['a uint64 of 2^63-1 set and read back', dev('virtio-rng-pci,id=rng,max-bytes=9223372036854775807'), [get('rng', 'max-bytes')]],
    ['a uint64 in hex', dev('virtio-rng-pci,id=rng,max-bytes=0x20000000000001'), [get('rng', 'max-bytes')]],
    ['values set', dev('piix3-usb-uhci,id=usb,maxframes=64,multifunction=on'), [get('usb', 'maxframes'), get('usb', 'multifunction')]],
    ['a uint64 past 2^64', dev('virtio-rng-pci,id=rng,max-bytes=18446744073709551616'), []],
    ['a uint32 that is no integer', dev('piix3-usb-uhci,maxframes=x'), []],
    ['a uint32 too large', dev('piix3-usb-uhci,maxframes=4294967296'), []],
    ['a bool that is neither', dev('piix3-usb-uhci,multifunction=maybe'), []],
    ['an unknown property', dev('piix3-usb-uhci,foo=1'), []],
    ["PIIX3's slot", dev('piix3-usb-uhci,addr=1.0'), []],
    ['a taken slot', [...dev('i6300esb,addr=3'), ...dev('virtio-rng-pci,addr=3')], []],
    ['a duplicate id', [...dev('i6300esb,id=x'), ...dev('virtio-rng-pci,id=x')], []],
  ],
  true,
);
