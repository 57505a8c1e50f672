/**
 * pc-dimm and nvdimm against the real QEMU of every Debian suite: start-up refusals (slots,
 * memdev, addr, node, space, ACPI, nvdimm=on, label size) by their stderr, and a running
 * machine's query-memory-devices, query-memory-size-summary, hotplug and refusals over QMP.
 * device_del of a DIMM, which waits for an ACPI eject, is in qmp-hotplug.test.ts.
 */
import { describeTranscripts, type Step } from './transcripts.js';

const ram = (id: string, size = '1G') => ['-object', `memory-backend-ram,id=${id},size=${size}`];
const TWO = [...ram('m0'), ...ram('m1')];
const SLOTS = ['-m', '1G,slots=2,maxmem=4G'];
const NUMA = [...ram('n0', '512M'), ...ram('n1', '512M'), '-numa', 'node,nodeid=0,memdev=n0', '-numa', 'node,nodeid=1,memdev=n1'];

const REFUSED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['no slots', ['-m', '1G,maxmem=4G', ...TWO, '-device', 'pc-dimm,memdev=m0']],
  ['no maxmem', ['-m', '1G', ...TWO, '-device', 'pc-dimm,memdev=m0']],
  ['a slot out of range', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0,slot=5']],
  ['a busy slot', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0,slot=1', '-device', 'pc-dimm,memdev=m1,slot=1']],
  ['every slot taken', ['-m', '1G,slots=1,maxmem=4G', ...TWO, '-device', 'pc-dimm,memdev=m0', '-device', 'pc-dimm,memdev=m1']],
  ['no memdev', [...SLOTS, ...TWO, '-device', 'pc-dimm,id=d0']],
  ['a busy memdev', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0', '-device', 'pc-dimm,memdev=m0']],
  ["the machine's own memdev", [...SLOTS, '-machine', 'memory-backend=m0', ...TWO, '-device', 'pc-dimm,memdev=m0']],
  ['a misaligned addr', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0,addr=0x100001000']],
  ['an addr below the region', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0,addr=0x10000000']],
  ['overlapping addrs', [...SLOTS, ...TWO, '-device', 'pc-dimm,id=d0,memdev=m0,addr=0x140000000', '-device', 'pc-dimm,memdev=m1,addr=0x140000000']],
  ['no space left', ['-m', '1G,slots=2,maxmem=2G', ...TWO, '-device', 'pc-dimm,memdev=m0', '-device', 'pc-dimm,memdev=m1']],
  ['a missing NUMA node', [...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0,node=1']],
  ['a NUMA node past the last of two', [...SLOTS, ...NUMA, ...TWO, '-device', 'pc-dimm,memdev=m0,node=2']],
  ['a size off the alignment', [...SLOTS, ...ram('m0', '1001M'), '-device', 'pc-dimm,memdev=m0']],
  ['ACPI off', ['-machine', 'pc,acpi=off', ...SLOTS, ...TWO, '-device', 'pc-dimm,memdev=m0']],
  ['an nvdimm without nvdimm=on', [...SLOTS, ...TWO, '-device', 'nvdimm,memdev=m0']],
  ['an nvdimm label below 128 KiB', ['-machine', 'pc,nvdimm=on', ...SLOTS, ...TWO, '-device', 'nvdimm,memdev=m0,label-size=100K']],
  ['an nvdimm label filling the memdev', ['-machine', 'pc,nvdimm=on', ...SLOTS, ...TWO, '-device', 'nvdimm,memdev=m0,label-size=1G']],
  ['an unknown nvdimm-persistence', ['-machine', 'pc,nvdimm=on,nvdimm-persistence=foo', ...SLOTS]],
  ['a malformed nvdimm uuid', ['-machine', 'pc,nvdimm=on', ...SLOTS, ...TWO, '-device', 'nvdimm,memdev=m0,uuid=xyz']],
];

const RUNNING: ReadonlyArray<readonly [string, readonly string[], readonly Step[]]> = [
  [
    'DIMMs and an NVDIMM at start-up, hotplug of more',
    [
      '-machine',
      'pc,nvdimm=on,nvdimm-persistence=cpu',
      '-m',
      '1G,slots=4,maxmem=8G',
      ...TWO,
      ...ram('m2'),
      ...ram('m3'),
      '-device',
      'pc-dimm,id=d0,memdev=m0,slot=2',
      '-device',
      'nvdimm,id=n0,memdev=m1,label-size=128K',
    ],
    [
      ['query-memory-devices'],
      ['query-memory-size-summary'],
      ['device_add', { driver: 'pc-dimm', id: 'd2', memdev: 'm2' }],
      ['device_add', { driver: 'pc-dimm', id: 'd3', memdev: 'm2' }],
      ['device_add', { driver: 'nvdimm', id: 'n3', memdev: 'm3', uuid: '12345678-1234-1234-1234-123456789abc' }],
      ['query-memory-devices'],
      ['query-memory-size-summary'],
      ['qom-get', { path: '/machine/peripheral/n0', property: 'size' }],
      ['qom-get', { path: '/machine/peripheral/n0', property: 'label-size' }],
      ['qom-get', { path: '/machine/peripheral/n3', property: 'uuid' }],
      ['qom-set', { path: '/machine/peripheral/n0', property: 'label-size', value: 262144 }],
      ['device_del', { id: 'n0' }],
      ['device_add', { driver: 'pc-dimm', id: 'd4', memdev: 'nope' }],
    ],
  ],
  [
    // enforce_aligned_dimm off: page alignment for address and size (5.2 and 7.2 still have 2.1).
    'a DIMM on pc-i440fx-2.1',
    ['-machine', 'pc-i440fx-2.1', ...SLOTS, ...ram('m0', '1001M'), ...ram('m1'), '-device', 'pc-dimm,id=d0,memdev=m0'],
    [
      ['query-memory-devices'],
      ['device_add', { driver: 'pc-dimm', id: 'd1', memdev: 'm1', addr: 0x140000100 }],
      ['device_add', { driver: 'pc-dimm', id: 'd1', memdev: 'm1', addr: 0x140001000 }],
      ['query-memory-devices'],
    ],
  ],
  [
    'DIMMs on the second of two NUMA nodes',
    [...SLOTS, ...NUMA, ...TWO, '-device', 'pc-dimm,id=d0,memdev=m0,node=1'],
    [['query-memory-devices'], ['device_add', { driver: 'pc-dimm', id: 'd1', memdev: 'm1', node: 1 }], ['query-memory-devices'], ['query-memory-size-summary']],
  ],
  [
    'hotplug until the slots run out',
    ['-machine', 'q35', '-m', '1G,slots=1,maxmem=4G', ...TWO],
    [
      ['device_add', { driver: 'pc-dimm', id: 'd0', memdev: 'm0', slot: 3 }],
      ['device_add', { driver: 'pc-dimm', id: 'd0', memdev: 'm0' }],
      ['device_add', { driver: 'pc-dimm', id: 'd1', memdev: 'm1' }],
      ['query-memory-devices'],
    ],
  ],
];

describeTranscripts('conformance: pc-dimm and nvdimm by release', [...REFUSED.map(([name, args]) => [name, args, []] as const), ...RUNNING], false, 'all');
