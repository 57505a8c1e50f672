/**
 * Loading definitions: the typed result, the way to MachineOptions (the same a QEMU command line
 * gives), and the example definitions shipped in examples/definitions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../../src/core/package-root.js';
import { release } from '../../../src/core/release.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { buildInvocation } from '../../../src/frontends/cmdline/invocation.js';
import { parseArgv } from '../../../src/frontends/cmdline/parse-argv.js';
import {
  DefinitionError,
  loadDefinitionFile,
  parseDefinition,
  readDefinitionSchema,
  toMachineOptions,
  unknownPropertyProblem,
  type MachineDefinition,
} from '../../../src/frontends/yaml/index.js';
import { parseMemorySize } from '../../../src/machine/memory-size.js';
import { parseGlobalOption } from '../../../src/qom/globals.js';

const EXAMPLES = join(packageRoot(), 'examples', 'definitions');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** The value without source positions, which tests of content do not care about. */
const withoutPositions = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'position' || k === 'memoryPosition' ? undefined : v)));

/** JSON drops properties whose value is undefined, as the command line's invocation leaves some. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const FULL = `host: { arch: s390x, kernel: linux-6.10, qemu: "7.2", thp: { enabled: madvise, use-zero-page: false } }
machine: { type: s390-ccw-virtio-7.2, accel: kvm, memory: 4GiB, maxmem: 64 GiB, numa: [ { nodeid: 0, memdev: ram0 } ], properties: { dump-guest-core: false } }
objects:
  - { type: memory-backend-ram, id: ram0, size: 4G, share: false }
devices:
  - { driver: virtio-balloon-ccw, id: balloon0, free-page-reporting: on }
globals: [ { driver: virtio-balloon-device, property: deflate-on-oom, value: true } ]
guest: { kernel: "6.1", init-on-free: true, workload: { used: 1 GiB } }
steps:
  - set: { path: balloon0, property: guest-stats-polling-interval, value: 2 }
  - balloon: { target: 3GiB }
  - guest: { write: { start: 0x10000000, size: 1G } }
  - guest: { read: { start: 0, size: 512 MiB } }
  - guest: { free: { start: 256M, size: 1MB } }
  - guest: { read-all: {} }
  - dump: {}
  - storage-keys: enable
  - object-add: { type: memory-backend-memfd, id: mem1, size: 1GiB }
  - device-add: { driver: virtio-mem-ccw, id: vm1, memdev: mem1 }
  - device-del: { id: vm1 }
  - expect:
      rss: { below: 2GiB, at-least: 1G }
      page-tables: { equals: 0 }
      property: { path: balloon0, property: free-page-reporting, equals: true }
      event: { name: BALLOON_CHANGE, data: { actual: 3GiB } }
      error: "some message"
      warning: "some warning"
      dmesg: "virtio_balloon"
  - guest: { write-file: 256M }
  - guest: { remove-file: {} }
`;

describe('frontends/yaml: loading definitions', () => {
  it('gives every section its typed form', () => {
    const def = parseDefinition(FULL, 'full.yaml');
    assert.deepEqual(
      withoutPositions({ host: def.host, machine: def.machine, objects: def.objects, devices: def.devices, globals: def.globals, guest: def.guest }),
      {
        host: { arch: 's390x', kernel: 'linux-6.10', qemu: { major: 7, minor: 2 }, thp: { enabled: 'madvise', useZeroPage: false } },
        machine: {
          type: 's390-ccw-virtio-7.2',
          accel: 'kvm',
          memory: 4 * GiB,
          maxmem: 64 * GiB,
          numa: [{ nodeid: 0, memdev: 'ram0' }],
          properties: [{ name: 'dump-guest-core', value: 'off', pointer: '/machine/properties/dump-guest-core' }],
        },
        objects: [
          {
            type: 'memory-backend-ram',
            id: 'ram0',
            props: [
              { name: 'size', value: '4G', pointer: '/objects/0/size' },
              { name: 'share', value: 'off', pointer: '/objects/0/share' },
            ],
            path: 'objects[0]',
          },
        ],
        devices: [
          {
            driver: 'virtio-balloon-ccw',
            id: 'balloon0',
            props: [{ name: 'free-page-reporting', value: 'on', pointer: '/devices/0/free-page-reporting' }],
            path: 'devices[0]',
          },
        ],
        globals: [{ text: 'driver=virtio-balloon-device,property=deflate-on-oom,value=on' }],
        guest: { kernel: { major: 6, minor: 1 }, initOnFree: true, workload: { used: GiB } },
      },
    );
  });

  it('gives each step kind its variant of the union', () => {
    const def = parseDefinition(FULL, 'full.yaml');
    assert.deepEqual(withoutPositions(def.steps), [
      { kind: 'set', path: 'balloon0', property: 'guest-stats-polling-interval', value: '2' },
      { kind: 'balloon', target: 3 * GiB },
      { kind: 'guest', action: { kind: 'write', range: { start: 0x10000000, size: GiB } } },
      { kind: 'guest', action: { kind: 'read', range: { start: 0, size: 512 * MiB } } },
      { kind: 'guest', action: { kind: 'free', range: { start: 256 * MiB, size: 1_000_000 } } },
      { kind: 'guest', action: { kind: 'read-all' } },
      { kind: 'dump' },
      { kind: 'storage-keys' },
      {
        kind: 'object-add',
        object: {
          type: 'memory-backend-memfd',
          id: 'mem1',
          props: [{ name: 'size', value: String(GiB), pointer: '/steps/8/object-add/size' }],
          path: 'steps[8].object-add',
        },
      },
      {
        kind: 'device-add',
        device: {
          driver: 'virtio-mem-ccw',
          id: 'vm1',
          props: [{ name: 'memdev', value: 'mem1', pointer: '/steps/9/device-add/memdev' }],
          path: 'steps[9].device-add',
        },
      },
      { kind: 'device-del', id: 'vm1' },
      {
        kind: 'expect',
        expectations: [
          { kind: 'memory', measure: 'rss', bounds: { below: 2 * GiB, atLeast: GiB } },
          { kind: 'memory', measure: 'page-tables', bounds: { equals: 0 } },
          { kind: 'property', path: 'balloon0', property: 'free-page-reporting', equals: 'on' },
          { kind: 'event', name: 'BALLOON_CHANGE', data: [{ name: 'actual', value: String(3 * GiB) }] },
          { kind: 'error', message: 'some message' },
          { kind: 'warning', message: 'some warning' },
          { kind: 'dmesg', contains: 'virtio_balloon' },
        ],
      },
      { kind: 'guest', action: { kind: 'write-file', size: 256 * MiB } },
      { kind: 'guest', action: { kind: 'remove-file' } },
    ]);
  });

  it('keeps positions: 1-based line and column of every entry', () => {
    const def = parseDefinition(FULL, 'full.yaml');
    assert.deepEqual(def.devices[0]!.position, { file: 'full.yaml', line: 6, column: 5 });
    assert.deepEqual(def.devices[0]!.props[0]!.position, { file: 'full.yaml', line: 6, column: 49 }, 'a property is where its key is');
    assert.deepEqual(def.machine.memoryPosition, { file: 'full.yaml', line: 2, column: 59 }, '-m is where memory is');
    assert.deepEqual(def.steps[1]!.position, { file: 'full.yaml', line: 11, column: 5 });
  });

  it('turns a property the object model refuses into a positioned problem with a suggestion', () => {
    const def = parseDefinition(
      `host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }\ndevices:\n  - driver: virtio-mem-pci\n    requsted-size: 1G\n`,
      'vm.yaml',
    );
    const found = unknownPropertyProblem(def.devices[0]!, 'requsted-size', ['memdev', 'requested-size', 'block-size']);
    assert.equal(new DefinitionError([found!]).message, "vm.yaml:4:5: unknown key 'requsted-size' at devices[0]; did you mean 'requested-size'?");
    assert.equal(unknownPropertyProblem(def.devices[0]!, 'frob', ['memdev']), undefined, 'not set by this entry');
  });

  it('escapes commas in the option text it writes, as QemuOpts reads them', () => {
    const def = parseDefinition(
      'host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }\nmachine: { numa: [ { memdev: "a,b" } ] }\nglobals: [ { driver: d, property: p, value: "x,y" } ]\n',
      'vm.yaml',
    );
    const options = toMachineOptions(def);
    assert.deepEqual(options.globals, ['driver=d,property=p,value=x,,y']);
    assert.deepEqual(parseGlobalOption(options.globals[0]!, { major: 7, minor: 2 }).global, { driver: 'd', property: 'p', value: 'x,y' });
    assert.equal((options.items![0] as { text: string }).text, 'node,memdev=a,,b');
  });

  it("reads the host's PCI devices for vfio-pci", () => {
    const def = parseDefinition(
      'host:\n  { arch: x86_64, kernel: linux-6.1, qemu: "7.2", pci-devices: [ { address: "0000:01:00.0", iommu-group: 12 }, { address: "0000:00:02.0", sysfsdev: /sys/bus/mdev/devices/m, iommu-group: 0, mdev: true }, { address: "0000:03:00.0" } ] }\n',
      'vm.yaml',
    );
    assert.deepEqual(def.host.pciDevices, [
      { address: '0000:01:00.0', iommuGroup: 12 },
      { address: '0000:00:02.0', iommuGroup: 0, sysfsdev: '/sys/bus/mdev/devices/m', mdev: true },
      { address: '0000:03:00.0' },
    ]);
  });

  it('leaves out of MachineOptions what the definition leaves out', () => {
    const options = toMachineOptions(parseDefinition('host: { arch: x86_64, kernel: linux-6.1, qemu: "9.1" }\n', 'min.yaml'));
    assert.deepEqual(options, { release: release('9.1'), arch: 'x86_64', machineProps: [], globals: [], items: [] });
  });

  describe('reaches the same MachineOptions as the QEMU command line', () => {
    const PAIRS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
      [
        'virtio-mem with a memfd backend',
        `host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }
machine: { type: pc-q35-7.2, accel: kvm, memory: 4G, maxmem: 20G }
objects: [ { type: memory-backend-memfd, id: mem0, size: 16G, share: true } ]
devices: [ { driver: virtio-mem-pci, id: vm0, memdev: mem0, requested-size: 1G, unplugged-inaccessible: auto } ]
globals: [ virtio-mem.unplugged-inaccessible=on ]
`,
        [
          '-machine',
          'pc-q35-7.2,accel=kvm',
          '-m',
          '4G,maxmem=20G',
          '-object',
          'memory-backend-memfd,id=mem0,size=16G,share=on',
          '-device',
          'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=1G,unplugged-inaccessible=auto',
          '-global',
          'virtio-mem.unplugged-inaccessible=on',
        ],
      ],
      [
        'NUMA, slots, machine properties and a longhand global',
        `host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }
machine:
  type: q35
  memory: 2G
  slots: 2
  maxmem: 8G
  memory-backend: ram0
  properties: { max-ram-below-4g: 1G }
  numa: [ { nodeid: 0 }, { nodeid: 1, mem: 1G } ]
objects: [ { type: memory-backend-ram, id: ram0, size: 2G } ]
devices: [ { driver: virtio-balloon-pci, bus: pcie.0, free-page-reporting: true } ]
globals: [ { driver: virtio-mem, property: x-early-migration, value: false } ]
`,
        [
          '-machine',
          'q35,memory-backend=ram0,max-ram-below-4g=1G',
          '-m',
          '2G,slots=2,maxmem=8G',
          '-object',
          'memory-backend-ram,id=ram0,size=2G',
          '-numa',
          'node,nodeid=0',
          '-numa',
          'node,nodeid=1,mem=1G',
          '-device',
          'virtio-balloon-pci,bus=pcie.0,free-page-reporting=on',
          '-global',
          'driver=virtio-mem,property=x-early-migration,value=off',
        ],
      ],
    ];
    for (const [what, yaml, argv] of PAIRS) {
      it(what, () => {
        const fromYaml = toMachineOptions(parseDefinition(yaml, 'vm.yaml'));
        const fromArgv = buildInvocation(parseArgv(argv, release('7.2')), { release: release('7.2'), arch: 'x86_64' });
        const comparable = (o: { machine?: string; accel?: string; machineProps?: unknown; memory?: string; globals?: unknown; items?: readonly object[] }) =>
          plain({ ...o, items: o.items?.map((item) => ({ ...item, location: undefined })) });
        const pick = ({ machine, accel, machineProps, memory, globals, items }: Parameters<typeof comparable>[0]) => ({
          machine,
          accel,
          machineProps,
          memory,
          globals,
          items,
        });
        assert.deepEqual(comparable(pick(fromYaml)), comparable(pick(fromArgv)));
      });
    }

    it('locates each item at its line and column, as QEMU locates options', () => {
      const options = toMachineOptions(parseDefinition(PAIRS[1]![1], 'vm.yaml'));
      assert.deepEqual(
        options.items?.map((i) => (i.kind === 'monitor' ? undefined : i.location)),
        ['vm.yaml:10:12', 'vm.yaml:9:11', 'vm.yaml:9:26', 'vm.yaml:11:12'],
      );
      assert.equal(options.memoryLocation, 'vm.yaml:4:11');
    });
  });

  describe('examples/definitions', () => {
    it('holds the scenarios of the issues', () => {
      assert.deepEqual(exampleFiles, [
        'balloon-s390x-seed.yaml',
        'balloon-s390x-zeropage.yaml',
        'free-page-reporting.yaml',
        'postcopy-destination.yaml',
        'postcopy-source.yaml',
        'vfio-virtio-mem-5.2.yaml',
        'vfio-virtio-mem-7.2.yaml',
        'virtio-mem-hotplug.yaml',
      ]);
    });

    const schema = readDefinitionSchema();
    for (const file of exampleFiles) {
      describe(file, () => {
        const path = join(EXAMPLES, file);

        it('passes the published schema', () => {
          assert.ok(schema.validate(parse(readFileSync(path, 'utf8'))), JSON.stringify(schema.validate.errors));
        });

        it('loads, says what it shows, and gives -m text that parses to its sizes', () => {
          const def: MachineDefinition = loadDefinitionFile(path);
          assert.ok((def.description ?? '').length > 40);
          const options = toMachineOptions(def);
          assert.equal(options.items?.length, def.objects.length + def.machine.numa.length + def.devices.length);
          const memory = parseMemorySize(options.memory, def.host.qemu, { defaultRamSize: 128 * MiB });
          if (def.machine.memory !== undefined) assert.equal(memory.memory.ramSize, def.machine.memory);
          if (def.machine.maxmem !== undefined) assert.equal(memory.memory.maxRamSize, def.machine.maxmem);
        });
      });
    }

    it('loads the postcopy destination with its source', () => {
      const def = loadDefinitionFile(join(EXAMPLES, 'postcopy-source.yaml'));
      const migrate = def.steps.find((s) => s.kind === 'migrate');
      assert.ok(migrate?.kind === 'migrate');
      assert.equal(migrate.to, join(EXAMPLES, 'postcopy-destination.yaml'));
      assert.equal(migrate.postcopy, true);
      assert.deepEqual(withoutPositions(migrate.destination?.steps), [
        { kind: 'expect', expectations: [{ kind: 'memory', measure: 'rss', bounds: { atMost: 2 * GiB } }] },
      ]);
    });
  });
});
