/**
 * PCI bridges and the buses behind them (src/machine/pci-bridges.ts) against the four binaries:
 * bus names with and without ids, slots below a PCIe port, chassis checks, memory devices behind
 * root ports and bridges, and device_add / device_del on each kind of secondary bus (native PCIe,
 * SHPC, ACPI PCI hotplug of bridges on pc and on q35 from pc-q35-6.1, hotplug=off).
 */
import { describeTranscripts, type Step } from './transcripts.js';

const dev = (spec: string) => ['-device', spec];
const get = (id: string, property: string): Step => ['qom-get', { path: `/machine/peripheral/${id}`, property }];
const BOOT = ['-m', '1G,maxmem=8G'];
const Q35 = ['-machine', 'q35'];
const PC = ['-machine', 'pc'];
/** q35 before ACPI hotplug of bridges: native PCIe and SHPC hotplug (not in 5.2, which refuses the machine type). */
const Q35_NATIVE = ['-machine', 'pc-q35-6.0'];
const RP = 'pcie-root-port,id=rp,chassis=1';
const ram = (id: string): Step => ['object-add', { 'qom-type': 'memory-backend-ram', id, size: 1073741824 }];
const add = (driver: string, id: string, bus: string, more: Record<string, unknown> = {}): Step => ['device_add', { driver, id, bus, ...more }];
const del = (id: string): Step => ['device_del', { id }];
/** device_add, device_del twice, and whether the device is still there. */
const hotplugCycle = (bus: string, more: Record<string, unknown> = {}): Step[] => [
  add('virtio-balloon-pci', 'b', bus, more),
  del('b'),
  del('b'),
  get('b', 'type'),
];
/** device_del twice of a device there from start-up. */
const coldUnplug: Step[] = [del('b'), del('b'), get('b', 'type')];

describeTranscripts('conformance: PCI bridges and their buses by release', [
  // Buses and placement
  [
    'a balloon in a root port',
    [...Q35, ...dev(RP), ...dev('virtio-balloon-pci,id=b,bus=rp')],
    [get('b', 'addr'), get('rp', 'chassis'), get('rp', 'slot'), get('rp', 'port')],
  ],
  ['slot 1 below a root port', [...Q35, ...dev(RP), ...dev('virtio-balloon-pci,id=b,bus=rp,addr=1')], [get('b', 'addr')]],
  [
    'the first free slot below a root port',
    [...Q35, ...dev(RP), ...dev('virtio-rng-pci,id=r0,bus=rp'), ...dev('virtio-rng-pci,id=r1,bus=rp')],
    [get('r1', 'addr')],
  ],
  ['slot 0 taken below a root port', [...Q35, ...dev(RP), ...dev('virtio-rng-pci,bus=rp,addr=0'), ...dev('virtio-rng-pci,bus=rp,addr=0')], []],
  [
    'two functions below a root port',
    [...Q35, ...dev(RP), ...dev('virtio-rng-pci,bus=rp,addr=0.0,multifunction=on'), ...dev('virtio-rng-pci,id=r,bus=rp,addr=0.1')],
    [get('r', 'addr')],
  ],
  ['two root ports with one chassis and slot', [...Q35, ...dev('pcie-root-port,id=a,chassis=1'), ...dev('pcie-root-port,id=b,chassis=1')], []],
  ['one chassis, two slots', [...Q35, ...dev('pcie-root-port,id=a,chassis=1'), ...dev('pcie-root-port,id=b,chassis=1,slot=1')], [get('b', 'slot')]],
  ['a pci-bridge without chassis_nr', [...PC, ...dev('pci-bridge,id=br')], []],
  ['two pci-bridges with one chassis_nr', [...PC, ...dev('pci-bridge,id=a,chassis_nr=1'), ...dev('pci-bridge,id=b,chassis_nr=1')], [get('b', 'chassis_nr')]],
  [
    'unnamed buses on q35 (the first port bus is pcie.0, which finds the root)',
    [
      ...Q35,
      ...dev('pcie-root-port'),
      ...dev('pcie-root-port,chassis=1'),
      ...dev('pci-bridge,chassis_nr=3'),
      ...dev('pcie-pci-bridge,bus=pcie.1'),
      ...dev('virtio-rng-pci,id=r,bus=pci.1,addr=1'),
      ...dev('virtio-rng-pci,id=r0,bus=pcie.0'),
    ],
    [get('r', 'addr'), get('r0', 'addr')],
  ],
  ['an unnamed bridge on pc is pci.1', [...PC, ...dev('pci-bridge,chassis_nr=1'), ...dev('virtio-rng-pci,id=r,bus=pci.1,addr=2')], [get('r', 'addr')]],
  ['a bus that is not there', [...Q35, ...dev(RP), ...dev('virtio-rng-pci,bus=rp2')], []],
  ['a root port on pc', [...PC, ...dev(RP), ...dev('virtio-balloon-pci,id=b,bus=rp')], [get('b', 'addr')]],
  [
    'a PCIe switch',
    [...Q35, ...dev(RP), ...dev('x3130-upstream,id=up,bus=rp'), ...dev('xio3130-downstream,id=dp,bus=up,chassis=2'), ...dev('virtio-balloon-pci,id=b,bus=dp')],
    [get('b', 'addr'), get('dp', 'chassis')],
  ],
  [
    'ioh3420 and a DMI-to-PCI bridge',
    [...Q35, ...dev('ioh3420,id=p,chassis=1'), ...dev('i82801b11-bridge,id=dmi,bus=p'), ...dev('virtio-rng-pci,id=r,bus=dmi,addr=3')],
    [get('r', 'addr')],
  ],
  ['slot 0 of a bridge on q35', [...Q35, ...dev('pci-bridge,id=br,chassis_nr=1'), ...dev('virtio-balloon-pci,id=b,bus=br,addr=0')], [get('b', 'addr')]],
  ['slot 0 of a bridge on pc', [...PC, ...dev('pci-bridge,id=br,chassis_nr=1'), ...dev('virtio-balloon-pci,id=b,bus=br,addr=0')], [get('b', 'addr')]],
  // PCI expander bridges
  ['pxb with a device behind it', [...PC, ...dev('pxb,id=x,bus_nr=4'), ...dev('virtio-rng-pci,id=r,bus=x,addr=1')], [get('r', 'addr'), get('x', 'bus_nr')]],
  ['a device after a pxb, without bus=', [...PC, ...dev('pxb,id=x,bus_nr=4'), ...dev('virtio-rng-pci')], []],
  ['pxb without bus_nr', [...PC, ...dev('pxb,id=x')], []],
  ['two pxbs with one bus number', [...PC, ...dev('pxb,id=x,bus_nr=4,bus=pci.0'), ...dev('pxb,id=y,bus_nr=4,bus=pci.0')], []],
  ['a pxb after a bridge, bus_nr 0', [...PC, ...dev('pci-bridge,id=br,chassis_nr=1'), ...dev('pxb,id=x,bus=pci.0')], []],
  ['a pxb behind a bridge', [...PC, ...dev('pci-bridge,id=br,chassis_nr=1'), ...dev('pxb,id=x,bus=br,bus_nr=5')], []],
  ['pxb on q35', [...Q35, ...dev('pxb,id=x,bus_nr=4')], []],
  ['pxb-pcie on pc', [...PC, ...dev('pxb-pcie,id=x,bus_nr=4')], []],
  ['pxb-pcie with a device on its bus', [...Q35, ...dev('pxb-pcie,id=x,bus_nr=4'), ...dev('virtio-rng-pci,bus=x')], []],
  [
    'an unnamed pxb-pcie (pxb-pcie-bus.0)',
    [...Q35, ...dev('pxb-pcie,bus_nr=4'), ...dev('pcie-root-port,id=rp,bus=pxb-pcie-bus.0,chassis=2'), ...dev('virtio-balloon-pci,id=b,bus=rp')],
    [get('b', 'addr')],
  ],
  ['pxb-pcie on an illegal NUMA node', [...Q35, ...dev('pxb-pcie,id=x,bus_nr=4,numa_node=0')], []],
  [
    'pxb-pcie on a NUMA node, a root port and a balloon behind it',
    [
      ...Q35,
      ...['-m', '1G', '-object', 'memory-backend-ram,id=m0,size=512M', '-object', 'memory-backend-ram,id=m1,size=512M'],
      ...['-numa', 'node,memdev=m0', '-numa', 'node,memdev=m1'],
      ...dev('pxb-pcie,id=x,bus_nr=4,numa_node=1'),
      ...dev('pcie-root-port,id=rp,bus=x,chassis=2'),
      ...dev('virtio-balloon-pci,id=b,bus=rp'),
    ],
    [get('b', 'addr'), get('x', 'numa_node'), ...hotplugCycle('pcie.0').slice(1, 2)],
  ],
  ['device_add on the bus behind pxb', [...PC, ...dev('pxb,id=x,bus_nr=4')], hotplugCycle('x', { addr: '1' })],
  ['device_add on the bus of pxb-pcie', [...Q35, ...dev('pxb-pcie,id=x,bus_nr=4')], hotplugCycle('x')],
  // Memory devices behind bridges
  [
    "libvirt's q35 root ports with virtio-mem and the balloon behind them",
    [
      ...Q35,
      ...BOOT,
      ...['-object', 'memory-backend-ram,id=mem0,size=1G'],
      ...dev('pcie-root-port,port=16,chassis=1,id=pci.1,bus=pcie.0,multifunction=on,addr=0x2'),
      ...dev('pcie-root-port,port=17,chassis=2,id=pci.2,bus=pcie.0,addr=0x2.0x1'),
      ...dev('pcie-root-port,port=18,chassis=3,id=pci.3,bus=pcie.0,addr=0x2.0x2'),
      ...dev('virtio-mem-pci,id=vm0,memdev=mem0,requested-size=512M,bus=pci.1,addr=0x0'),
      ...dev('virtio-balloon-pci,id=balloon0,bus=pci.2,addr=0x0'),
    ],
    [
      ['query-memory-devices'],
      get('vm0', 'addr'),
      ram('mem1'),
      add('virtio-mem-pci', 'vm1', 'pci.3', { memdev: 'mem1' }),
      ['query-memory-devices'],
      del('vm1'),
      del('vm1'),
      del('vm0'),
      ['query-memory-devices'],
    ],
  ],
  [
    'virtio-mem hotplugged behind a bridge on pc',
    [...PC, ...BOOT, ...dev('pci-bridge,id=br,chassis_nr=1')],
    [ram('mem1'), add('virtio-mem-pci', 'vm1', 'br', { memdev: 'mem1', addr: '1' }), ['query-memory-devices'], del('vm1'), del('vm1')],
  ],
  [
    'virtio-pmem behind a root port',
    [...Q35, ...BOOT, ...['-object', 'memory-backend-ram,id=mem0,size=1G'], ...dev(RP), ...dev('virtio-pmem-pci,id=pm,memdev=mem0,bus=rp')],
    [['query-memory-devices'], del('pm'), del('pm')],
  ],
  // Hotplug on each kind of bus
  ['device_add and device_del below a root port', [...Q35, ...dev(RP)], hotplugCycle('rp')],
  ['device_add below a root port with hotplug=off', [...Q35, ...dev(`${RP},hotplug=off`)], hotplugCycle('rp')],
  ['device_del below a root port with hotplug=off', [...Q35, ...dev(`${RP},hotplug=off`), ...dev('virtio-balloon-pci,id=b,bus=rp')], coldUnplug],
  ['device_add below a root port with hotplug=off on pc', [...PC, ...dev(`${RP},hotplug=off`)], hotplugCycle('rp')],
  [
    'device_add beside the device in a root port (its slot 0 is every function 0)',
    [...Q35, ...dev(RP), ...dev('virtio-rng-pci,id=r,bus=rp,multifunction=on')],
    [add('virtio-balloon-pci', 'b', 'rp', { addr: '1.0' }), add('virtio-balloon-pci', 'b', 'rp', { addr: '0.1' }), get('b', 'addr')],
  ],
  ['native PCIe hotplug: device_add and device_del', [...Q35_NATIVE, ...dev(RP)], hotplugCycle('rp')],
  ['native PCIe hotplug: device_del of a device there from start-up', [...Q35_NATIVE, ...dev(RP), ...dev('virtio-balloon-pci,id=b,bus=rp')], coldUnplug],
  ['a bridge on pc: device_add and device_del', [...PC, ...dev('pci-bridge,id=br,chassis_nr=1')], hotplugCycle('br', { addr: '1' })],
  ['a root port on pc: device_add and device_del', [...PC, ...dev(RP)], hotplugCycle('rp')],
  ['a PCIe-to-PCI bridge on q35: device_add and device_del', [...Q35, ...dev(RP), ...dev('pcie-pci-bridge,id=br,bus=rp')], hotplugCycle('br', { addr: '1' })],
  [
    'SHPC: device_add in slot 0',
    [...Q35_NATIVE, ...dev('pci-bridge,id=br,chassis_nr=1')],
    [add('virtio-balloon-pci', 'b', 'br', { addr: '0' }), get('b', 'type')],
  ],
  ['SHPC: device_add and device_del', [...Q35_NATIVE, ...dev('pci-bridge,id=br,chassis_nr=1')], hotplugCycle('br', { addr: '1' })],
  [
    'SHPC: device_del of a device there from start-up',
    [...Q35_NATIVE, ...dev('pci-bridge,id=br,chassis_nr=1'), ...dev('virtio-balloon-pci,id=b,bus=br,addr=1')],
    coldUnplug,
  ],
  ['SHPC off: device_add', [...Q35_NATIVE, ...dev('pci-bridge,id=br,chassis_nr=1,shpc=off')], hotplugCycle('br', { addr: '1' })],
  ["a switch's upstream bus: device_add", [...Q35, ...dev(RP), ...dev('x3130-upstream,id=up,bus=rp')], hotplugCycle('up')],
  ['a DMI-to-PCI bridge: device_add', [...Q35, ...dev('i82801b11-bridge,id=br')], hotplugCycle('br', { addr: '1' })],
]);
