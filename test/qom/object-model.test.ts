import assert from 'node:assert/strict';
import { HotmemError } from '../../src/core/errors.js';
import { deviceListHelp, deviceOptionsHelp, objectOptionsHelp, type PropertyInput } from '../../src/qom/index.js';
import { typeRegistry } from '../../src/cli/binary.js';
import { release } from '../../src/core/release.js';
import { ObjectModel } from '../../src/qom/object-model.js';
import { testModel } from './fixtures.js';

const text = (t: string): PropertyInput => ({ source: 'text', text: t, visitor: 'keyval' });
const props = (entries: Record<string, string>) => Object.entries(entries).map(([name, value]) => ({ name, input: text(value) }));

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof HotmemError) return e.message;
    throw e;
  }
  return assert.fail('expected an error');
}

function withBackend(releaseName = '7.2') {
  const model = testModel(releaseName);
  model.addObject('test-backend', 'm0', [{ name: 'size', input: { source: 'text', text: '1G', visitor: 'opts' } }]);
  return model;
}

describe('qom/object-model', () => {
  it('creates a device at its canonical path with its child and aliases', () => {
    const model = withBackend();
    const { device } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0', memaddr: '0x100000000' }));
    assert.equal(device.path(), '/machine/peripheral/vm0');
    assert.equal(device.child('virtio-backend')!.path(), '/machine/peripheral/vm0/virtio-backend');
    assert.equal(device.get('memaddr'), 0x100000000);
    assert.equal(device.child('virtio-backend')!.get('memaddr'), 0x100000000);
    assert.equal(device.get('memdev'), '/objects/m0');
    assert.equal(device.get('virtio-backend'), '/machine/peripheral/vm0/virtio-backend');
    assert.equal(device.get('realized'), true);
    assert.equal(device.child('virtio-backend')!.realized, true);
  });

  it('files anonymous devices under peripheral-anon and counts failures too, as QEMU does', () => {
    const model = withBackend();
    assert.throws(() => model.addDevice('test-mem-pci', undefined, []), /'memdev' property is not set/);
    const { device } = model.addDevice('test-mem-pci', undefined, props({ memdev: 'm0' }));
    assert.equal(device.path(), '/machine/peripheral-anon/device[1]');
  });

  const REJECTED: ReadonlyArray<readonly [string, () => (m: ReturnType<typeof withBackend>) => unknown, string]> = [
    ['an unknown driver', () => (m) => m.addDevice('test-mem-frob', 'x', []), "'test-mem-frob' is not a valid device model name"],
    ['a non-device driver', () => (m) => m.addDevice('test-backend', 'x', []), "Parameter 'driver' expects a device type"],
    ['an abstract driver', () => (m) => m.addDevice('device', 'x', []), "Parameter 'driver' expects a non-abstract device type"],
    ['a device that is not user creatable', () => (m) => m.addDevice('test-mem', 'x', []), "Parameter 'driver' expects a pluggable device type"],
    ['an unknown property', () => (m) => m.addDevice('test-mem-pci', 'x', props({ frobnicate: '1' })), "Property 'test-mem-pci.frobnicate' not found"],
    ['a read-only property', () => (m) => m.addDevice('test-mem-pci', 'x', props({ size: '1G' })), "Property 'test-mem.size' is not writable"],
    ['a bad enum value', () => (m) => m.addDevice('test-mem-pci', 'x', props({ mode: 'maybe' })), "Parameter 'mode' does not accept value 'maybe'"],
    ['a bad size', () => (m) => m.addDevice('test-mem-pci', 'x', props({ 'requested-size': '1x' })), "Parameter 'requested-size' expects size"],
    ['a link to nothing', () => (m) => m.addDevice('test-mem-pci', 'x', props({ memdev: 'nope' })), "Device 'nope' not found"],
    [
      'a bad id',
      () => (m) => m.addDevice('test-mem-pci', '0x', props({ memdev: 'm0' })),
      "Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.",
    ],
    ['a failing realize', () => (m) => m.addDevice('test-mem-pci', 'x', []), "'memdev' property is not set"],
  ];
  for (const [what, make, message] of REJECTED) {
    it(`rejects ${what} with QEMU's message and leaves the tree unchanged`, () => {
      const model = withBackend();
      const before = model.qomList(model.container('/machine/peripheral')).length;
      assert.equal(
        errorOf(() => make()(model)),
        message,
      );
      assert.equal(model.qomList(model.container('/machine/peripheral')).length, before);
    });
  }

  it('words a read-only property as QERR_PERMISSION_DENIED before 7.2', () => {
    const model = withBackend('7.1');
    assert.equal(
      errorOf(() => model.addDevice('test-mem-pci', 'x', props({ size: '1G' }))),
      'Insufficient permission to perform this operation',
    );
  });

  it('refuses a duplicate device id', () => {
    const model = withBackend();
    model.addObject('test-backend', 'm1', []);
    model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    assert.equal(
      errorOf(() => model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm1' }))),
      "Duplicate device ID 'vm0'",
    );
  });

  it('guards field properties after realize, naming the device or calling it anonymous', () => {
    const model = withBackend();
    const { device } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    const json = (v: unknown): PropertyInput => ({ source: 'json', json: v });
    assert.equal(
      errorOf(() => model.setProperty(device, 'vectors', json(4))),
      "Attempt to set property 'vectors' on device 'vm0' (type 'test-mem-pci') after it was realized",
    );
    assert.equal(
      errorOf(() => model.setProperty(device, 'memaddr', json(0))),
      "Attempt to set property 'memaddr' on anonymous device (type 'test-mem') after it was realized",
    );
    assert.equal(
      errorOf(() => model.setProperty(device, 'memdev', json('m0'))),
      "Attempt to set link property 'memdev' on anonymous device (type 'test-mem') after it was realized",
    );
    // Custom properties decide for themselves: requested-size stays settable, with its own checks.
    model.setProperty(device, 'requested-size', json(0x400000));
    assert.equal(device.get('requested-size'), 0x400000);
    assert.equal(
      errorOf(() => model.setProperty(device, 'requested-size', json(0x100000))),
      "'requested-size' has to be multiples of 'block-size' (0x200000)",
    );
    assert.equal(device.get('requested-size'), 0x400000, 'a rejected set leaves the value');
    assert.equal(
      errorOf(() => model.setProperty(device, 'requested-size', json('big'))),
      "Parameter 'requested-size' expects uint64",
    );
  });

  it('applies compat, then -global, then the device properties, the later winning', () => {
    const model = withBackend('8.1');
    model.compat = { accelerator: [], machine: [{ driver: 'test-mem', property: 'mode', value: 'auto' }], sugar: [] };
    const plain = model.addDevice('test-mem-pci', 'a', props({ memdev: 'm0' })).device;
    assert.equal(plain.get('mode'), 'auto', 'compat beats the 8.1 class default');

    model.addObject('test-backend', 'm1', []);
    model.addObject('test-backend', 'm2', []);
    model.globals = [{ driver: 'test-mem', property: 'mode', value: 'off' }];
    const global = model.addDevice('test-mem-pci', 'b', props({ memdev: 'm1' }));
    assert.equal(global.device.get('mode'), 'off', '-global beats compat');
    assert.deepEqual(global.warnings, [{ code: 'test.off', message: 'mode is off' }]);

    const explicit = model.addDevice('test-mem-pci', 'c', props({ memdev: 'm2', mode: 'on' })).device;
    assert.equal(explicit.get('mode'), 'on', 'the device option beats -global');
  });

  it('matches globals through the ancestry and through proxy aliases', () => {
    const model = withBackend();
    model.globals = [
      { driver: 'device', property: 'mode', value: 'off', optional: true },
      { driver: 'test-mem-pci', property: 'memaddr', value: '0x1000' },
    ];
    const { device } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    assert.equal(device.get('mode'), 'off');
    assert.equal(device.get('memaddr'), 0x1000);
  });

  it('fails cold-plug on a global that cannot apply, and only warns for a hotplugged device', () => {
    const model = withBackend();
    model.globals = [{ driver: 'test-mem-pci', property: 'node', value: 'x' }];
    assert.equal(
      errorOf(() => model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }))),
      "can't apply global test-mem-pci.node=x: Parameter 'node' expects uint64",
    );
    model.machineReady = true;
    const { warnings } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    assert.deepEqual(
      warnings.map((w) => w.message),
      ["can't apply global test-mem-pci.node=x: Parameter 'node' expects uint64"],
    );
  });

  it('warns about unused globals only for non-hotpluggable devices and unknown classes', () => {
    const model = withBackend();
    model.globals = [
      { driver: 'test-mem-pci', property: 'node', value: '1' },
      { driver: 'test-mem', property: 'node', value: '1' },
      { driver: 'no-such-device', property: 'x', value: '1' },
    ];
    assert.deepEqual(
      model.unusedGlobalWarnings().map((w) => w.message),
      ['global test-mem.node=1 not used', 'global no-such-device.x has invalid class name'],
    );
  });

  it('reads release-dependent defaults and hides properties a release lacks', () => {
    assert.equal(
      withBackend('7.2')
        .addDevice('test-mem-pci', 'v', props({ memdev: 'm0' }))
        .device.get('mode'),
      'auto',
    );
    assert.equal(
      withBackend('8.1')
        .addDevice('test-mem-pci', 'v', props({ memdev: 'm0' }))
        .device.get('mode'),
      'on',
    );
    assert.equal(
      errorOf(() => withBackend('6.2').addDevice('test-mem-pci', 'v', props({ memdev: 'm0', mode: 'on' }))),
      "Property 'test-mem-pci.mode' not found",
    );
  });

  it('refuses to delete a backend a realized device uses, then allows it once the device is gone', () => {
    const model = withBackend();
    const { device } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    assert.equal(
      errorOf(() => model.deleteObject('m0')),
      "object 'm0' is in use, can not be deleted",
    );
    model.remove(device);
    model.deleteObject('m0');
    assert.equal(model.resolvePath('/objects/m0'), undefined);
  });

  it('resolves partial paths and lists properties as qom-list does', () => {
    const model = withBackend();
    model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' }));
    assert.equal(model.resolvePath('vm0')?.path(), '/machine/peripheral/vm0');
    assert.equal(model.resolvePath('m0')?.path(), '/objects/m0');
    const listing = model.qomList(model.resolvePath('vm0')!);
    for (const entry of [
      { name: 'type', type: 'string' },
      { name: 'realized', type: 'bool' },
      { name: 'virtio-backend', type: 'child<test-mem>' },
      { name: 'memdev', type: 'link<test-backend>' },
      { name: 'mode', type: 'OnOffAuto' },
      { name: 'vectors', type: 'uint32' },
    ]) {
      assert.deepEqual(
        listing.find((e) => e.name === entry.name),
        entry,
      );
    }
    assert.deepEqual(model.qomList(model.container('/machine/peripheral')), [
      { name: 'type', type: 'string' },
      { name: 'vm0', type: 'child<test-mem-pci>' },
    ]);
  });

  it('prints -device TYPE,help, -object TYPE,help and -device help in QEMU format', () => {
    const model = testModel('7.2');
    assert.equal(
      deviceOptionsHelp(model, 'test-mem-pci'),
      [
        'test-mem-pci options:',
        '  memaddr=<uint64>       -  (default: 0)',
        '  memdev=<link<test-backend>>',
        '  mode=<OnOffAuto>       - on/off/auto (default: "auto")',
        '  node=<uint32>          -  (default: 0)',
        '  requested-size=<size>',
        '  size=<size>',
        '  vectors=<uint32>       -  (default: 2)',
        '  virtio-backend=<child<test-mem>>',
        '',
      ].join('\n'),
    );
    assert.equal(deviceOptionsHelp(testModel('10.0'), 'test-mem-pci').split('\n')[3], '  mode=<OnOffAuto>       - on/off/auto (default: on)');
    assert.equal(
      objectOptionsHelp(model, 'test-backend'),
      'test-backend options:\n  share=<bool>           -  (default: false)\n  size=<size>            -  (default: 0)\n',
    );
    // QEMU puts a blank line before every category header but the first category's, printed or not.
    assert.equal(deviceListHelp([{ category: 'Misc', name: 'test-mem-pci', bus: 'PCI' }]), '\nMisc devices:\nname "test-mem-pci", bus PCI\n');
  });
});

describe("qom/object-model: -device names against the release's device table", () => {
  const model = (r: string) => new ObjectModel(typeRegistry(), { release: release(r), target: 'x86_64' });

  it('creates the type an alias names (virtio-balloon is virtio-balloon-pci on x86_64)', () => {
    assert.equal(model('7.2').addDevice('virtio-balloon', 'b0', []).device.type, 'virtio-balloon-pci');
  });

  it('says so for a device the binary has and hotmem does not model, instead of calling it invalid', () => {
    assert.equal(
      errorOf(() => model('7.2').addDevice('virtio-gpu-gl-pci', undefined, [])),
      "hotmem does not model device 'virtio-gpu-gl-pci' yet (QEMU 7.2 has it: its help and properties are known, an instance is not)",
    );
    assert.equal(
      errorOf(() => model('7.2').addDevice('no-such-device', undefined, [])),
      "'no-such-device' is not a valid device model name",
    );
  });
});
