/**
 * device_add and device_del of opaque devices against the four binaries: hotpluggable types and
 * types that are not (DeviceClass.hotpluggable, from compat/devices), on i440fx's pci.0 (ACPI
 * hotplug: device_del waits for a guest), q35's pcie.0 (no hotplug), a PCIe root port (native
 * hotplug: a slot no guest powered on is emptied at once from 6.2), a pci-bridge and the USB bus
 * (unplugged at once); the order of the class, bus and property checks (the class first from
 * 10.0, at the driver's lookup before); /machine/peripheral after each.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';
import { describeTranscripts, hotmemTranscript, type Step } from './transcripts.js';

const peripheral: Step = ['qom-list', { path: '/machine/peripheral' }];
const add = (driver: string, id: string, props: Record<string, unknown> = {}): Step => ['device_add', { driver, id, ...props }];
const del = (id: string): Step => ['device_del', { id }];
const get = (id: string, property: string): Step => ['qom-get', { path: `/machine/peripheral/${id}`, property }];
const ROOT_PORT = ['-device', 'pcie-root-port,id=rp,bus=pcie.0,chassis=1,addr=0x2'];

describeTranscripts(
  'conformance: device_add and device_del of opaque devices',
  [
    [
      'pc: a NIC hotplugged into pci.0 and unplugged (waits for the guest)',
      ['-machine', 'pc'],
      [add('e1000', 'n0'), get('n0', 'addr'), peripheral, del('n0'), del('n0'), peripheral],
    ],
    [
      'pc: the slot, its defaults and a second device',
      ['-machine', 'pc'],
      [
        add('i6300esb', 'wd', { addr: '0x5' }),
        add('virtio-rng-pci', 'rng', { addr: '0x5' }),
        add('virtio-rng-pci', 'rng'),
        get('rng', 'addr'),
        get('rng', 'max-bytes'),
      ],
    ],
    [
      'pc: refusals leave the machine as it was',
      ['-machine', 'pc'],
      [
        add('VGA', 'v'),
        add('VGA', 'v', { foo: 1 }),
        add('cirrus-vga', 'v'),
        add('e1000', 'n0', { mac: '52:54:00' }),
        add('piix3-usb-uhci', 'u', { maxframes: 'x' }),
        add('e1000', 'n0', { addr: '0x1' }),
        peripheral,
      ],
    ],
    ['q35: pcie.0 has no hotplug', ['-machine', 'q35'], [add('e1000e', 'n0'), add('e1000e', 'n0', { foo: 1 }), add('VGA', 'v'), peripheral]],
    [
      'q35: behind a root port',
      ['-machine', 'q35', ...ROOT_PORT],
      [add('e1000e', 'n0', { bus: 'rp' }), get('n0', 'addr'), peripheral, del('n0'), del('n0'), peripheral],
    ],
    [
      'pc: behind a pci-bridge',
      ['-machine', 'pc', '-device', 'pci-bridge,id=br,chassis_nr=1'],
      [add('e1000', 'n0', { bus: 'br', addr: '0x3' }), get('n0', 'addr'), del('n0'), peripheral],
    ],
    [
      'pc: USB devices, unplugged at once',
      ['-machine', 'pc,usb=on'],
      [add('usb-tablet', 't'), add('usb-kbd', 'k'), peripheral, del('t'), peripheral, del('t')],
    ],
    [
      'pc: a USB controller hotplugged, then a device on its bus',
      ['-machine', 'pc'],
      [add('usb-tablet', 't'), add('piix3-usb-uhci', 'usb'), add('usb-tablet', 't', { bus: 'usb.0' }), peripheral],
    ],
  ],
  true,
);

/** Target, start-up arguments, the script, and how many DEVICE_DELETED events the unplugs send. */
const UNPLUGS: ReadonlyArray<readonly [Arch, readonly string[], readonly Step[], number]> = [
  // An opaque virtio proxy: its virtio-backend is finalized before it.
  ['s390x', [], [add('virtio-rng-ccw', 'r'), del('r')], 2],
  ['x86_64', ['-machine', 'pc,usb=on'], [add('usb-tablet', 't'), add('usb-kbd', 'k'), del('k'), del('t')], 2],
];

describe('conformance: DEVICE_DELETED of opaque devices unplugged at once', function () {
  this.timeout(60_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch)) {
      for (const [target, args, script, count] of UNPLUGS.filter(([a]) => a === arch)) {
        it(`QEMU ${q.release} (${q.suite}) ${arch}: ${script.map(([c, a]) => `${c} ${String(a?.['driver'] ?? a?.['id'])}`).join(', ')}`, async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const session = await QmpSession.start(q.binary, args);
          const real: unknown[] = [];
          try {
            for (const [command, commandArgs] of script) await session.execute(command, commandArgs);
            for (let i = 0; i < count; i++) real.push((await session.nextEvent('DEVICE_DELETED')).data);
          } finally {
            await session.quit();
          }
          const hotmem: unknown[] = [];
          hotmemTranscript(q.release, args, script, target, (m) => m['event'] === 'DEVICE_DELETED' && hotmem.push(m['data']));
          assert.deepEqual(hotmem, real);
        });
      }
    }
  }
});
