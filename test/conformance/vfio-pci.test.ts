/**
 * vfio-pci through each Debian release's real qemu-system-x86_64 and through `hotmem qemu` of that
 * release. No host this runs on has a device VFIO can take (the PCI devices of its sysfs have no
 * iommu_group), so what the binaries can answer is every refusal up to the IOMMU group: a host=
 * or sysfsdev= naming nothing, a malformed host=, neither given, an existing path without a
 * group, x-balloon-allowed on a device that is not mediated (checked before the group from 8.2),
 * and the device's help. Start-up runs compare status, stdout and stderr; device_add runs
 * compare QMP replies.
 */
import { readdirSync } from 'node:fs';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';
import { assertSameStartup, describeTranscripts, type Step } from './transcripts.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S', '-machine', 'q35'];

/** A PCI device of this host (none have an IOMMU group here), if sysfs lists one. */
const hostPci = readdirSync('/sys/bus/pci/devices').find((d) => /^[0-9a-f]{4}:/.test(d));

const DEVICES: readonly string[] = [
  'vfio-pci',
  'vfio-pci,host=0000:00:1f.0',
  'vfio-pci,host=00:1f.0',
  'vfio-pci,host=1:2:3.4',
  'vfio-pci,host=zz',
  'vfio-pci,host=0000:00:1f.8',
  'vfio-pci,host=0000:00:20.0',
  'vfio-pci,host=100:00.0',
  'vfio-pci,host=00:00.0x',
  'vfio-pci,host=-1:00.0',
  'vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:00:1f.0',
  'vfio-pci,host=0000:00:1f.0,sysfsdev=/sys/bus/pci/devices/0000:00:1e.0',
  'vfio-pci,sysfsdev=/tmp',
  'vfio-pci,sysfsdev=/tmp,x-balloon-allowed=on',
  'vfio-pci,host=0000:00:1f.0,x-balloon-allowed=on',
  'vfio-pci,host=0000:00:1f.0,bus=pcie.0,addr=0x5',
  'vfio-pci-nohotplug',
  'vfio-pci-nohotplug,host=0000:00:1f.0',
  'vfio-pci,help',
  ...(hostPci === undefined
    ? []
    : [`vfio-pci,host=${hostPci}`, `vfio-pci,sysfsdev=/sys/bus/pci/devices/${hostPci}`, `vfio-pci,host=${hostPci},x-balloon-allowed=on`]),
];

const RUNNING_AFTER_MS = 6_000;

describe('conformance: -device vfio-pci refusals and help, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const device of DEVICES) {
        it(`-device ${device}`, async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          await assertSameStartup(q, [...COMMON, '-device', device], RUNNING_AFTER_MS);
        });
      }
    });
  }
});

const add = (args: Record<string, unknown>): Step => ['device_add', { driver: 'vfio-pci', ...args }];

describeTranscripts(
  'conformance: device_add vfio-pci over QMP, qemu-system-x86_64 -machine pc, every Debian release',
  [
    ['device_add without host or sysfsdev', ['-machine', 'pc'], [add({ id: 'h0' })]],
    ['device_add host= naming nothing', ['-machine', 'pc'], [add({ id: 'h0', host: '0000:00:1f.0' })]],
    ['device_add a malformed host=', ['-machine', 'pc'], [add({ id: 'h0', host: 'zz' })]],
    ['device_add host= not a string', ['-machine', 'pc'], [add({ id: 'h0', host: 5 })]],
    ['device-list-properties vfio-pci', ['-machine', 'pc'], [['device-list-properties', { typename: 'vfio-pci' }]]],
  ],
  // x-migration-max-queued-buffers-size (11.1) defaults to 2^64-1.
  true,
);
