/**
 * Hotplug over QMP: object-add of backends, device_add of virtio-mem-pci on i440fx (hotpluggable
 * pci.0) and q35 (pcie.0 is not), qom-set of requested-size, device_del and object-del, with
 * their errors, against Debian's QEMU 7.2.
 */
import { strict as assert } from 'node:assert';
import { findQemuSystem } from './qemu.js';
import { hotmemTranscript, realTranscript, type Step } from './transcripts.js';

const BOOT = ['-m', '1G,maxmem=8G'];

const CASES: ReadonlyArray<readonly [string, readonly string[], readonly Step[]]> = [
  [
    'hotplug on pc-i440fx-7.2 with a RAM backend',
    ['-machine', 'pc-i440fx-7.2', ...BOOT],
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
    'hotplug on pc-i440fx-7.2 with a memfd backend and string sizes',
    ['-machine', 'pc-i440fx-7.2', ...BOOT],
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
    ['-machine', 'pc-q35-7.2', ...BOOT],
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
    ['-machine', 'pc-i440fx-7.2', ...BOOT],
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
];

describe('conformance: hotplug over QMP', function () {
  this.timeout(60_000);
  const binary = findQemuSystem('x86_64');
  for (const [name, args, script] of CASES) {
    it(name, async function () {
      if (binary === null) {
        console.log('      skipped: qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)');
        this.skip();
      }
      assert.deepEqual(hotmemTranscript('7.2', args, script), await realTranscript(binary, args, script));
    });
  }
});
