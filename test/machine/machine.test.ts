import assert from 'node:assert/strict';
import { GiB, MiB, TiB } from '../../src/core/units.js';
import { Machine, StartupError, type MachineOptions, type StartupItem } from '../../src/machine/index.js';
import { testEnvironment } from './fixtures.js';

const start = (options: MachineOptions) => Machine.start(options, testEnvironment());
const ram = (id: string, size: string): StartupItem => ({
  kind: 'object',
  type: 'memory-backend-ram',
  id,
  props: [{ name: 'size', value: size }],
  location: `-object memory-backend-ram,id=${id},size=${size}`,
});
type DeviceItem = Extract<StartupItem, { kind: 'device' }>;
const dev = (id: string, memdev: string, extra: Record<string, string> = {}): DeviceItem => ({
  kind: 'device',
  driver: 'test-memdev-pci',
  id,
  props: [{ name: 'memdev', value: memdev }, ...Object.entries(extra).map(([name, value]) => ({ name, value }))],
  location: `-device test-memdev-pci,id=${id},memdev=${memdev}`,
});

function startupError(options: MachineOptions): { message: string; location: string | undefined } {
  try {
    start(options);
  } catch (e) {
    if (e instanceof StartupError) return { message: e.message, location: e.location };
    throw e;
  }
  return assert.fail('expected a start-up error');
}

describe('machine/machine', () => {
  const LAYOUTS: ReadonlyArray<readonly [string, string, readonly (readonly [string, number, number])[], { base: number; size: number }]> = [
    ['pc-q35-7.2', '1G,maxmem=8G', [['ram-below-4g', 0, GiB]], { base: 4 * GiB, size: 7 * GiB }],
    [
      'pc-q35-7.2',
      '4G,maxmem=8G',
      [
        ['ram-below-4g', 0, 2 * GiB],
        ['ram-above-4g', 4 * GiB, 2 * GiB],
      ],
      { base: 6 * GiB, size: 4 * GiB },
    ],
    ['pc-q35-7.2', '2G', [['ram-below-4g', 0, 2 * GiB]], { base: 0, size: 0 }],
    [
      'pc-i440fx-7.2',
      '4G,maxmem=8G',
      [
        ['ram-below-4g', 0, 3 * GiB],
        ['ram-above-4g', 4 * GiB, GiB],
      ],
      { base: 5 * GiB, size: 4 * GiB },
    ],
    ['pc-i440fx-7.2', '3G', [['ram-below-4g', 0, 3 * GiB]], { base: 0, size: 0 }],
    ['pc-i440fx-7.2', '1G,slots=2,maxmem=4G', [['ram-below-4g', 0, GiB]], { base: 4 * GiB, size: 5 * GiB }],
  ];
  for (const [machine, memory, ramRegions, deviceMemory] of LAYOUTS) {
    it(`lays out ${machine} -m ${memory}`, () => {
      const { machine: m } = start({ release: '7.2', arch: 'x86_64', machine, memory });
      assert.deepEqual(
        m.layout.ram.map((r) => [r.name, r.base, r.size]),
        ramRegions,
      );
      assert.deepEqual(m.layout.deviceMemory, deviceMemory);
    });
  }

  it('puts s390x device memory at the next GiB above RAM from 10.0, and has none before', () => {
    assert.deepEqual(start({ release: '10.0', arch: 's390x', machine: 's390-ccw-virtio-10.0', memory: '1536M,maxmem=4G' }).machine.layout.deviceMemory, {
      base: 2 * GiB,
      size: 2560 * MiB,
    });
    assert.equal(start({ release: '7.2', arch: 's390x', machine: 's390-ccw-virtio-7.2', memory: '1G,maxmem=4G' }).machine.layout.deviceMemory, 'unsupported');
  });

  it('refuses more device memory than 40 physical address bits reach, and relocates above 1 TiB for AMD', () => {
    // The default qemu64 CPU is AMD, so RAM above 4G first moves past the HT hole to 1 TiB.
    assert.deepEqual(startupError({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '4G,maxmem=2T' }), {
      message: 'Address space limit 0xffffffffff < 0x3077fffffff phys-bits too low (40)',
      location: undefined,
    });
    // Under 1 TiB - 12 GiB of used addresses the HT hole is not crossed, RAM stays at 4 GiB.
    assert.equal(start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '4G,maxmem=900G' }).machine.layout.ram[1]!.base, 4 * GiB);
    // Crossing the HT hole relocates RAM to 1 TiB on 7.1+ machine types, which 40 bits cannot
    // reach either; 7.0 machine types keep RAM at 4 GiB and just fit.
    assert.equal(
      startupError({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '4G,maxmem=990G' }).message,
      `Address space limit 0xffffffffff < 0x${(TiB + 2 * GiB + 986 * GiB + 32 * GiB - 1).toString(16)} phys-bits too low (40)`,
    );
    assert.equal(start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.0', memory: '4G,maxmem=990G' }).machine.layout.ram[1]!.base, 4 * GiB);
  });

  it('places memory devices one after the other and adds up what they plug', () => {
    const { machine } = start({
      release: '7.2',
      arch: 'x86_64',
      machine: 'q35',
      memory: '1G,maxmem=8G',
      items: [ram('m0', '1G'), ram('m1', '2G'), dev('d0', 'm0'), dev('d1', 'm1')],
    });
    assert.deepEqual(
      machine.memoryDevices().map((d) => [d.id, d.get('memaddr')]),
      [
        ['d0', 4 * GiB],
        ['d1', 5 * GiB],
      ],
    );
    assert.equal(machine.pluggedMemorySize(), 3 * GiB);
    assert.equal(machine.object.path(), '/machine');
    assert.equal(machine.object.get('type'), 'pc-q35-7.2-machine');
  });

  const FAILURES: ReadonlyArray<readonly [string, MachineOptions, string, string | undefined]> = [
    [
      'a memory device without maxmem',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '1G', items: [ram('m0', '1G'), dev('d0', 'm0')] },
      'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option',
      '-device test-memdev-pci,id=d0,memdev=m0',
    ],
    [
      'a memory device larger than maxmem leaves room for',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '1G,maxmem=1536M', items: [ram('m0', '1G'), dev('d0', 'm0')] },
      'not enough space, currently 0x0 in use of total space for memory devices 0x20000000',
      '-device test-memdev-pci,id=d0,memdev=m0',
    ],
    [
      'an unknown machine type',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-frob' },
      'unsupported machine type\nUse -machine help to list supported machines',
      undefined,
    ],
    // 5.2 restores the -machine option's location; 9.1 names the type.
    [
      'an unknown machine type in 5.2',
      { release: '5.2', arch: 'x86_64', machine: 'pc-q35-frob', machineLocation: '-machine pc-q35-frob' },
      'unsupported machine type\nUse -machine help to list supported machines',
      '-machine pc-q35-frob',
    ],
    [
      'an unknown machine type in 9.1',
      { release: '9.1', arch: 'x86_64', machine: 'pc-q35-frob' },
      'unsupported machine type: "pc-q35-frob"\nUse -machine help to list supported machines',
      undefined,
    ],
    // The phys-bits bound came with 7.1; 7.0 starts the machine.
    [
      '2 TiB of maxmem in 7.1',
      { release: '7.1', arch: 'x86_64', machine: 'q35', memory: '4G,maxmem=2T' },
      'Address space limit 0xffffffffff < 0x3077fffffff phys-bits too low (40)',
      undefined,
    ],
    [
      'a backend bound to two NUMA nodes',
      {
        release: '7.2',
        arch: 'x86_64',
        machine: 'pc-q35-7.2',
        memory: '2G',
        items: [ram('m0', '1G'), { kind: 'numa', text: 'node,memdev=m0', location: '-numa node,memdev=m0' }, { kind: 'numa', text: 'node,memdev=m0' }],
      },
      "memory backend m0 can't be used multiple times.",
      undefined,
    ],
    [
      'NUMA memory that does not add up to RAM',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '2G', items: [ram('m0', '1G'), { kind: 'numa', text: 'node,memdev=m0' }] },
      'total memory for NUMA nodes (0x40000000) should equal RAM size (0x80000000)',
      undefined,
    ],
    [
      'a NUMA node id gap',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '2G', items: [ram('m0', '2G'), { kind: 'numa', text: 'node,nodeid=1,memdev=m0' }] },
      'numa: Node ID missing: 0',
      undefined,
    ],
    [
      'legacy NUMA mem= on a 5.1+ machine',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '2G', items: [{ kind: 'numa', text: 'node,mem=2G', location: '-numa node,mem=2G' }] },
      'Parameter -numa node,mem is not supported by this machine type\nUse -numa node,memdev instead',
      '-numa node,mem=2G',
    ],
    [
      'NUMA on s390x',
      { release: '7.2', arch: 's390x', machine: 's390-ccw-virtio-7.2', items: [{ kind: 'numa', text: 'node' }] },
      'NUMA is not supported by this machine-type',
      undefined,
    ],
    [
      'a main-RAM backend of the wrong size',
      {
        release: '7.2',
        arch: 'x86_64',
        machine: 'pc-q35-7.2',
        memory: '2G',
        machineProps: [{ name: 'memory-backend', value: 'm0' }],
        items: [ram('m0', '1G')],
      },
      'Machine memory size does not match the size of the memory backend',
      undefined,
    ],
    [
      'an unknown main-RAM backend',
      { release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', machineProps: [{ name: 'memory-backend', value: 'nope' }] },
      "Memory backend 'nope' not found",
      undefined,
    ],
  ];
  for (const [what, options, message, location] of FAILURES) {
    it(`refuses ${what}`, () => assert.deepEqual(startupError(options), { message, location }));
  }

  it('starts 2 TiB of maxmem before 7.1, which had no phys-bits bound', () => {
    assert.equal(start({ release: '7.0', arch: 'x86_64', machine: 'q35', memory: '4G,maxmem=2T' }).machine.memory.maxRamSize, 2 * 1024 * GiB);
  });

  it('adds the implicit NUMA node pc machines create for memory hotplug', () => {
    assert.equal(start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '1G,maxmem=2G' }).machine.numaNodes.length, 1);
    assert.equal(start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-7.2', memory: '1G' }).machine.numaNodes.length, 0);
    assert.equal(start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-5.0', memory: '1G,maxmem=2G' }).machine.numaNodes.length, 0);
  });

  it('takes RAM size from memory-backend= when -m is absent, and creates /objects/pc.ram otherwise', () => {
    const withBackend = start({
      release: '7.2',
      arch: 'x86_64',
      machine: 'q35',
      machineProps: [{ name: 'memory-backend', value: 'm0' }],
      items: [ram('m0', '3G')],
    });
    assert.equal(withBackend.machine.memory.ramSize, 3 * GiB);
    assert.equal(withBackend.machine.object.get('memory-backend'), '/objects/m0');
    const plain = start({ release: '7.2', arch: 'x86_64', machine: 'q35', memory: '2G' });
    assert.equal(plain.machine.model.resolvePath('/objects/pc.ram')?.get('size'), 2 * GiB);
  });

  it("hotplugs onto i440fx's pci.0 but refuses q35's pcie.0, leaving the machine as it was", () => {
    const pc = start({ release: '7.2', arch: 'x86_64', machine: 'pc', memory: '1G,maxmem=4G', items: [ram('m0', '1G')] }).machine;
    pc.addDevice(dev('d0', 'm0'));
    assert.equal(pc.memoryDevices().length, 1);
    const q35 = start({ release: '7.2', arch: 'x86_64', machine: 'q35', memory: '1G,maxmem=4G', items: [ram('m0', '1G')] }).machine;
    assert.throws(() => q35.addDevice(dev('d0', 'm0')), { message: "Bus 'pcie.0' does not support hotplugging" });
    assert.equal(q35.memoryDevices().length, 0);
    assert.equal(q35.model.resolvePath('/machine/peripheral/d0'), undefined);
    assert.throws(() => q35.addDevice({ ...dev('d0', 'm0'), bus: 'pci.7' }), { message: "Bus 'pci.7' not found" });
  });
});
