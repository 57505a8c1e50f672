/**
 * Hotplug over QMP: object-add of backends, device_add of virtio-mem-pci on i440fx (hotpluggable
 * pci.0) and q35 (pcie.0 is not), qom-set of requested-size, device_del (which waits for a guest
 * to eject) and object-del, with their errors, against the real QEMU of every Debian suite (each release's newest machines).
 */
import { describeTranscripts, type Step } from './transcripts.js';

const BOOT = ['-m', '1G,maxmem=8G'];

const CASES: ReadonlyArray<readonly [string, readonly string[], readonly Step[]]> = [
  [
    'hotplug on pc with a RAM backend',
    ['-machine', 'pc', ...BOOT],
    [
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'mem1', size: 1073741824 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'requested-size': 0 }],
      ['query-memory-devices'],
      ['qom-get', { path: 'vm1', property: 'unplugged-inaccessible' }],
      ['qom-set', { path: 'vm1', property: 'requested-size', value: 536870912 }],
      ['qom-get', { path: 'vm1', property: 'requested-size' }],
      ['object-del', { id: 'mem1' }],
      ['device_del', { id: 'vm1' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm2', memdev: 'mem1' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1' }],
    ],
  ],
  [
    'hotplug on pc with a memfd backend and string sizes',
    ['-machine', 'pc', ...BOOT],
    [
      ['object-add', { 'qom-type': 'memory-backend-memfd', id: 'mem1', size: 2147483648 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'requested-size': '1G', 'block-size': '4M' }],
      ['x-query-virtio-status', { path: '/machine/peripheral/vm1/virtio-backend' }],
      ['query-memory-size-summary'],
      ['object-add', { 'qom-type': 'memory-backend-memfd', id: 'mem1', size: 1073741824 }],
      ['object-add', { 'qom-type': 'memory-backend-memfd', id: 'mem2', size: 0 }],
    ],
  ],
  [
    'hotplug refused on q35 root bus',
    ['-machine', 'q35', ...BOOT],
    [
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'mem1', size: 1073741824 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1' }],
      ['query-memory-devices'],
      ['object-del', { id: 'mem1' }],
      ['object-del', { id: 'mem1' }],
    ],
  ],
  [
    'device_add mistakes',
    ['-machine', 'pc', ...BOOT],
    [
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'mem1', size: 1073741824 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1' }],
      ['device_add', { driver: 'virtio-mem-frob', id: 'vm1', memdev: 'mem1' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'block-size': '3M' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'requested-size': '1M' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'unplugged-inaccessible': 'maybe' }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', frob: 1 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'nope' }],
      ['query-memory-devices'],
    ],
  ],
  [
    // Nothing ejects without an operating system: every device stays, and 6.2+ refuses a second
    // device_del of a PCI device (not of a DIMM) and a new requested-size while it waits.
    'device_del waits for the guest to eject',
    ['-machine', 'pc', '-m', '1G,slots=2,maxmem=8G'],
    [
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'mem1', size: 1073741824 }],
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'mem2', size: 1073741824 }],
      ['device_add', { driver: 'virtio-mem-pci', id: 'vm1', memdev: 'mem1', 'requested-size': 0 }],
      ['device_add', { driver: 'pc-dimm', id: 'd1', memdev: 'mem2' }],
      ['device_add', { driver: 'virtio-balloon-pci', id: 'b1' }],
      ['device_del', { id: 'vm1' }],
      ['device_del', { id: 'b1' }],
      ['device_del', { id: 'd1' }],
      ['qom-set', { path: 'vm1', property: 'requested-size', value: 2097152 }],
      ['device_del', { id: 'vm1' }],
      ['device_del', { id: 'b1' }],
      ['device_del', { id: 'd1' }],
      ['query-memory-devices'],
      ['query-balloon'],
      ['object-del', { id: 'mem2' }],
    ],
  ],
];

describeTranscripts('conformance: hotplug over QMP by release', CASES, false, 'all');
