import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { GiB } from '../../../src/core/units.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import { machineGuestMemory } from '../../../src/machine/guest-memory.js';
import { MEMORY_DEVICE_OPS } from '../../../src/machine/memory-device.js';
import { RAM_BLOCK } from '../../../src/machine/ram-block.js';
import { deleteAndEject } from '../../machine/fixtures.js';

const backend = (id: string, size = '1G'): StartupItem => ({ kind: 'object', type: 'memory-backend-ram', id, props: [{ name: 'size', value: size }] });
const dimm = (props: string, id?: string): StartupItem => ({
  kind: 'device',
  driver: 'pc-dimm',
  ...(id === undefined ? {} : { id }),
  props: props === '' ? [] : props.split(',').map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! })),
});

function start(memory: string, items: readonly StartupItem[], release = '7.2', machine = 'pc') {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', 'x86_64'],
    ]),
  );
  return Machine.start({ release, arch: 'x86_64', machine, memory, items }, binary.environment).machine;
}

const info = (machine: Machine) => machine.memoryDevices().map((d) => machine.model.view.implementation(d.type, MEMORY_DEVICE_OPS)!.info(d));

describe('devices/pc-dimm: start-up (QEMU 5.2-11.1 agree)', () => {
  const TWO = [backend('m0'), backend('m1')];
  // Messages as real 7.2.22 prints them (the conformance test holds all four releases).
  const REFUSED: ReadonlyArray<readonly [string, string, readonly StartupItem[], string]> = [
    ['no slots', '1G,maxmem=4G', [...TWO, dimm('memdev=m0')], "no slots where allocated, please specify the 'slots' option"],
    ['a slot out of range', '1G,slots=2,maxmem=4G', [...TWO, dimm('memdev=m0,slot=5')], 'invalid slot number 5, valid range is [0-1]'],
    ['a busy slot', '1G,slots=2,maxmem=4G', [...TWO, dimm('memdev=m0,slot=1'), dimm('memdev=m1,slot=1')], 'slot 1 is busy'],
    ['every slot taken', '1G,slots=1,maxmem=4G', [...TWO, dimm('memdev=m0'), dimm('memdev=m1')], 'no free slots available'],
    ['no memdev', '1G,slots=2,maxmem=4G', [...TWO, dimm('')], "'memdev' property must be set"],
    ['a busy memdev', '1G,slots=2,maxmem=4G', [...TWO, dimm('memdev=m0'), dimm('memdev=m0')], "can't use already busy memdev: m0"],
    ['a misaligned addr', '1G,slots=2,maxmem=4G', [...TWO, dimm('memdev=m0,addr=0x100001000')], 'address must be aligned to 0x200000 bytes'],
    [
      'an addr below the region',
      '1G,slots=2,maxmem=4G',
      [...TWO, dimm('memdev=m0,addr=0x10000000')],
      "can't add memory device [0x10000000:0x40000000], usable range for memory devices [0x100000000:0x140000000]",
    ],
    [
      'no space left',
      '1G,slots=2,maxmem=2G',
      [...TWO, dimm('memdev=m0'), dimm('memdev=m1')],
      'not enough space, currently 0x40000000 in use of total space for memory devices 0x40000000',
    ],
    [
      'a missing NUMA node',
      '1G,slots=2,maxmem=4G',
      [...TWO, dimm('memdev=m0,node=1')],
      "'DIMM property node has value 1' which exceeds the number of numa nodes: 1",
    ],
    ['a size off the alignment', '1G,slots=2,maxmem=4G', [backend('m0', '1001M'), dimm('memdev=m0')], 'backend memory size must be multiple of 0x200000'],
  ];
  for (const [what, memory, items, message] of REFUSED) {
    it(`refuses ${what}`, () => assert.throws(() => start(memory, items), { message }));
  }

  it('takes the lowest free slot and the first free address, and reports them as QEMU does', () => {
    const machine = start('1G,slots=4,maxmem=8G', [...TWO, dimm('memdev=m0,slot=1'), dimm('memdev=m1', 'd1')]);
    assert.deepEqual(info(machine), [
      { type: 'dimm', data: { hotplugged: false, hotpluggable: true, addr: 4 * GiB, slot: 1, node: 0, size: GiB, memdev: '/objects/m0' } },
      { type: 'dimm', data: { id: 'd1', hotplugged: false, hotpluggable: true, addr: 5 * GiB, slot: 0, node: 0, size: GiB, memdev: '/objects/m1' } },
    ]);
    assert.equal(machine.pluggedMemorySize(), 2 * GiB);
  });

  it('aligns to the target page only on machine types before 2.2 (enforce_aligned_dimm off)', () => {
    const legacy = start(
      '1G,slots=2,maxmem=4G',
      [backend('m0', '1001M'), dimm('memdev=m0'), backend('m1'), dimm('memdev=m1,addr=0x140001000')],
      '7.2',
      'pc-i440fx-2.1',
    );
    assert.deepEqual(
      info(legacy).map((i) => i.data['addr']),
      [4 * GiB, 0x140001000],
    );
    assert.throws(() => start('1G,slots=2,maxmem=4G', [backend('m0'), dimm('memdev=m0,addr=0x100000100')], '7.2', 'pc-i440fx-2.1'), {
      message: 'address must be aligned to 0x1000 bytes',
    });
  });

  it('keeps its RAMBlock name, as a device on no bus', () => {
    const machine = start('1G,slots=2,maxmem=4G', [backend('m0'), dimm('memdev=m0')]);
    assert.equal(machine.model.resolvePath('/objects/m0')!.slots.get(RAM_BLOCK)!.idstr, 'm0');
  });
});

describe('devices/pc-dimm: hotplug and host memory', () => {
  it('device_add takes the next slot, marks it hotplugged; unplug frees slot and memdev', () => {
    const machine = start('1G,slots=2,maxmem=4G', [backend('m0'), backend('m1'), dimm('memdev=m0')]);
    machine.addDevice({ kind: 'device', driver: 'pc-dimm', id: 'd1', props: [{ name: 'memdev', value: 'm1' }] });
    assert.deepEqual(
      info(machine).map((i) => [i.data['slot'], i.data['hotplugged']]),
      [
        [0, false],
        [1, true],
      ],
    );
    deleteAndEject(machine, 'd1');
    assert.equal(machine.memoryDevices().length, 1);
    assert.doesNotThrow(() =>
      machine.addDevice({
        kind: 'device',
        driver: 'pc-dimm',
        id: 'd2',
        props: [
          { name: 'memdev', value: 'm1' },
          { name: 'slot', value: '1' },
        ],
      }),
    );
  });

  it("the guest's writes to a DIMM cost host RSS like initial RAM", () => {
    const machine = start('1G,slots=2,maxmem=4G', [backend('m0'), dimm('memdev=m0')]);
    const before = machine.process.status().rssAnon;
    const done = machineGuestMemory(machine).write(4 * GiB, 256 * 1024 * 1024, 1);
    assert.equal(done.kind, 'done');
    assert.equal(machine.process.status().rssAnon - before, 256 * 1024 * 1024);
  });
});

describe('devices/pc-dimm: the pc board', () => {
  it('refuses a DIMM with acpi=off (pc_memory_pre_plug), but not virtio-mem', () => {
    const binary = qemuBinary(
      new Map([
        ['qemu-version', '7.2'],
        ['arch', 'x86_64'],
      ]),
    );
    const run = (driver: string) =>
      Machine.start(
        {
          release: '7.2',
          arch: 'x86_64',
          machine: 'pc',
          machineProps: [{ name: 'acpi', value: 'off' }],
          memory: '1G,slots=2,maxmem=4G',
          items: [backend('m0'), { kind: 'device', driver, props: [{ name: 'memdev', value: 'm0' }] }],
        },
        binary.environment,
      );
    assert.throws(() => run('pc-dimm'), { message: 'memory hotplug is not enabled: missing acpi device or acpi disabled' });
    assert.doesNotThrow(() => run('virtio-mem-pci'));
  });
});
