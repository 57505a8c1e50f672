/**
 * The RAMBlock idstr of a virtio-mem memdev: "<dev path>/<backend name>" once the device
 * realizes (vmstate_register_ram with the device), empty before and after (an unused backend's
 * block has no name; unplug calls qemu_ram_unset_idstr). Initial RAM keeps plain names
 * (vmstate_register_ram_global). Real QEMU 7.2's `info ramblock` for pc-q35-7.2 -nodefaults
 * with a virtio-mem-pci on mem0, another with a canonical-path file backend and a pc-dimm:
 * "0000:00:01.0/mem0", "0000:00:02.0//objects/memf", "memd", "pc.ram", and "" for an unused backend.
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { Machine, type MachineOptions, type StartupItem } from '../../../src/machine/index.js';
import { RAM_BLOCK } from '../../../src/machine/ram-block.js';
import { migratableBlocks } from '../../../src/migration/ram-blocks.js';
import { deleteAndEject } from '../../machine/fixtures.js';

const object = (type: string, id: string, props: Record<string, string>): StartupItem => ({
  kind: 'object',
  type,
  id,
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});
const device = (driver: string, id: string, props: Record<string, string>): StartupItem => ({
  kind: 'device',
  driver,
  id,
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});

function start(release: string, arch: 'x86_64' | 's390x', options: Omit<MachineOptions, 'release' | 'arch'>): Machine {
  return Machine.start(
    { release, arch, ...options },
    qemuBinary(
      new Map([
        ['qemu-version', release],
        ['arch', arch],
      ]),
    ).environment,
  ).machine;
}

const idstrOf = (m: Machine, backend: string) => m.model.resolvePath(`/objects/${backend}`)!.slots.get(RAM_BLOCK)!.idstr;

interface Case {
  readonly what: string;
  readonly machine: string;
  readonly defaults?: MachineOptions['defaultDevices'];
  readonly backend?: Record<string, string>;
  readonly device?: Record<string, string>;
  readonly idstr: string;
}

const PCI_CASES: readonly Case[] = [
  { what: 'q35, first free slot', machine: 'pc-q35-7.2', idstr: '0000:00:01.0/mem0' },
  { what: 'i440fx, first free slot after PIIX3', machine: 'pc-i440fx-7.2', idstr: '0000:00:02.0/mem0' },
  { what: 'q35 behind the default VGA and NIC', machine: 'pc-q35-7.2', defaults: { vga: true, nic: true }, idstr: '0000:00:03.0/mem0' },
  { what: 'q35 addr=1e', machine: 'pc-q35-7.2', device: { addr: '1e' }, idstr: '0000:00:1e.0/mem0' },
  { what: 'i440fx addr=1.2 (a function of the PIIX3 slot)', machine: 'pc-i440fx-7.2', device: { addr: '1.2' }, idstr: '0000:00:01.2/mem0' },
  {
    what: 'x-use-canonical-path-for-ramblock-id: the canonical path after the dev path',
    machine: 'pc-q35-7.2',
    backend: { 'x-use-canonical-path-for-ramblock-id': 'on' },
    device: { addr: '2' },
    idstr: '0000:00:02.0//objects/mem0',
  },
  {
    what: 'a file backend on a 3.1 machine type (hw_compat_3_1 turns the canonical path on; real 7.2 agrees)',
    machine: 'pc-q35-3.1',
    backend: { type: 'memory-backend-file', 'mem-path': '/dev/shm/hotmem-mem0' },
    idstr: '0000:00:01.0//objects/mem0',
  },
];

describe('virtio-mem: the memdev RAMBlock idstr', () => {
  for (const c of PCI_CASES) {
    it(`virtio-mem-pci, ${c.machine}: ${c.what}`, () => {
      const { type = 'memory-backend-ram', ...backendProps } = c.backend ?? {};
      const m = start('7.2', 'x86_64', {
        machine: c.machine,
        memory: '1G,maxmem=8G',
        ...(c.defaults ? { defaultDevices: c.defaults } : {}),
        items: [object(type, 'mem0', { size: '1G', ...backendProps }), device('virtio-mem-pci', 'vm0', { memdev: 'mem0', ...c.device })],
      });
      assert.equal(idstrOf(m, 'mem0'), c.idstr);
      assert.deepEqual(
        migratableBlocks(m).map((b) => b.idstr),
        [c.idstr, 'pc.ram'],
        'the migration layer sees the same names',
      );
      // The host mapping keeps the region's name.
      assert.ok(
        m.process.mappings.some(
          (map) => map.name === (c.backend?.type === 'memory-backend-file' || c.backend?.['x-use-canonical-path-for-ramblock-id'] ? '/objects/mem0' : 'mem0'),
        ),
      );
    });
  }

  it('initial RAM keeps plain names, and an unused backend has none', () => {
    const m = start('7.2', 'x86_64', {
      machine: 'pc-q35-7.2',
      memory: '1G,maxmem=8G',
      machineProps: [{ name: 'memory-backend', value: 'ram0' }],
      items: [object('memory-backend-ram', 'ram0', { size: '1G' }), object('memory-backend-ram', 'unused', { size: '1G' })],
    });
    assert.equal(idstrOf(m, 'ram0'), 'ram0');
    assert.equal(idstrOf(m, 'unused'), '');
    assert.equal(
      start('7.2', 'x86_64', { machine: 'pc-i440fx-7.2', memory: '1G' }).model.resolvePath('/objects/pc.ram')!.slots.get(RAM_BLOCK)!.idstr,
      'pc.ram',
    );
  });

  it('a hotplugged device names the block when it realizes', () => {
    const m = start('7.2', 'x86_64', { machine: 'pc-i440fx-7.2', memory: '1G,maxmem=8G', items: [object('memory-backend-ram', 'mem0', { size: '1G' })] });
    assert.equal(idstrOf(m, 'mem0'), '');
    m.addDevice({
      kind: 'device',
      driver: 'virtio-mem-pci',
      id: 'vm0',
      props: [
        { name: 'memdev', value: 'mem0' },
        { name: 'addr', value: '7' },
      ],
    });
    assert.equal(idstrOf(m, 'mem0'), '0000:00:07.0/mem0');
  });

  it('unplug (9.2) unsets the name; the next user names it after its own slot', () => {
    const m = start('9.2', 'x86_64', {
      machine: 'pc-i440fx-9.2',
      memory: '1G,maxmem=8G',
      items: [object('memory-backend-ram', 'mem0', { size: '1G' }), device('virtio-mem-pci', 'vm0', { memdev: 'mem0' })],
    });
    assert.equal(idstrOf(m, 'mem0'), '0000:00:02.0/mem0');
    deleteAndEject(m, 'vm0');
    assert.equal(idstrOf(m, 'mem0'), '');
    assert.deepEqual(
      migratableBlocks(m).map((b) => b.idstr),
      ['pc.ram'],
    );
    m.addDevice({
      kind: 'device',
      driver: 'virtio-mem-pci',
      id: 'vm1',
      props: [
        { name: 'memdev', value: 'mem0' },
        { name: 'addr', value: '5' },
      ],
    });
    assert.equal(idstrOf(m, 'mem0'), '0000:00:05.0/mem0');
  });

  const CCW_CASES: ReadonlyArray<readonly [string, Record<string, string>, MachineOptions['defaultDevices'] | undefined, string]> = [
    ['first free device number', {}, undefined, '/fe.0.0000/mem0'],
    ['devno=fe.0.0003', { devno: 'fe.0.0003' }, undefined, '/fe.0.0003/mem0'],
    ['after the default virtio-net-ccw', {}, { nic: true }, '/fe.0.0001/mem0'],
    ['devno=0.1.00ab (cssid 0 keeps both digits in the path)', { devno: '0.1.00ab' }, undefined, '/00.1.00ab/mem0'],
  ];
  for (const [what, props, defaults, idstr] of CCW_CASES) {
    it(`virtio-mem-ccw (10.0): ${what}`, () => {
      const m = start('10.0', 's390x', {
        memory: '1G,maxmem=4G',
        ...(defaults ? { defaultDevices: defaults } : {}),
        items: [object('memory-backend-ram', 'mem0', { size: '1G' }), device('virtio-mem-ccw', 'vm0', { memdev: 'mem0', ...props })],
      });
      assert.equal(idstrOf(m, 'mem0'), idstr);
      assert.deepEqual(
        migratableBlocks(m).map((b) => b.idstr),
        [idstr, 's390.ram'],
      );
    });
  }
});
