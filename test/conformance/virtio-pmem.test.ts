/**
 * virtio-pmem-pci against the real QEMU of every Debian suite: start-up refusals (maxmem,
 * memdev, memaddr) by their stderr; on i440fx and q35, query-memory-devices, hotplug, the
 * proxy's resolved properties and the unplug refusal by release over QMP.
 */
import { describeTranscripts, type Step } from './transcripts.js';

const TWO = ['-object', 'memory-backend-ram,id=m0,size=1G', '-object', 'memory-backend-ram,id=m1,size=1G'];
const MAXMEM = ['-m', '1G,maxmem=4G'];

const SCRIPT: readonly Step[] = [
  ['query-memory-devices'],
  ['query-memory-size-summary'],
  ['device_add', { driver: 'virtio-pmem-pci', id: 'p1', memdev: 'm1' }],
  ['device_add', { driver: 'virtio-pmem-pci', id: 'p2', memdev: 'm1' }],
  ['device_add', { driver: 'virtio-pmem-pci', id: 'p3' }],
  ['query-memory-devices'],
  ['qom-get', { path: '/machine/peripheral/p0', property: 'disable-legacy' }],
  ['qom-get', { path: '/machine/peripheral/p0', property: 'addr' }],
  ['qom-get', { path: '/machine/peripheral/p0/virtio-backend', property: 'memaddr' }],
  ['device_del', { id: 'p0' }],
];

describeTranscripts(
  'conformance: virtio-pmem-pci by release',
  [
    ['no maxmem', ['-m', '1G', ...TWO, '-device', 'virtio-pmem-pci,memdev=m0'], []],
    ['no memdev', [...MAXMEM, ...TWO, '-device', 'virtio-pmem-pci'], []],
    ['a busy memdev', [...MAXMEM, ...TWO, '-device', 'virtio-pmem-pci,memdev=m0', '-device', 'virtio-pmem-pci,memdev=m0'], []],
    ['a misaligned memaddr', [...MAXMEM, ...TWO, '-device', 'virtio-pmem-pci,memdev=m0,memaddr=0x100001000'], []],
    ['no space left', ['-m', '1G,maxmem=2G', ...TWO, '-device', 'virtio-pmem-pci,memdev=m0', '-device', 'virtio-pmem-pci,memdev=m1'], []],
    ['on i440fx', ['-machine', 'pc', ...MAXMEM, ...TWO, '-device', 'virtio-pmem-pci,id=p0,memdev=m0'], SCRIPT],
    ['on q35', ['-machine', 'q35', ...MAXMEM, ...TWO, '-device', 'virtio-pmem-pci,id=p0,memdev=m0'], SCRIPT],
  ],
  false,
  'all',
);
