import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { describeOrigin, type PropertyInput, type PropertyOrigin } from '../../src/qom/index.js';
import { testModel } from './fixtures.js';

const text = (t: string): PropertyInput => ({ source: 'text', text: t, visitor: 'keyval' });
const props = (entries: Record<string, string>) => Object.entries(entries).map(([name, value]) => ({ name, input: text(value) }));
const COMPAT = { array: 'pc_compat_8_0', machine: 'pc-q35-7.2' };

describe('qom/provenance', () => {
  const CASES: ReadonlyArray<{
    readonly name: string;
    readonly compat?: boolean;
    readonly global?: boolean;
    readonly explicit?: boolean;
    readonly value: string;
    readonly origin: PropertyOrigin;
  }> = [
    { name: 'nothing set: the class default', value: 'on', origin: { kind: 'class-default' } },
    { name: 'a machine compat entry', compat: true, value: 'auto', origin: { kind: 'compat', layer: 'machine', source: COMPAT } },
    { name: 'a -global over compat', compat: true, global: true, value: 'off', origin: { kind: 'global', driver: 'test-mem', value: 'off' } },
    { name: 'the device property over both', compat: true, global: true, explicit: true, value: 'on', origin: { kind: 'explicit' } },
  ];
  for (const c of CASES) {
    it(`records who set a value: ${c.name}`, () => {
      const model = testModel('8.1');
      model.addObject('test-backend', 'm0', []);
      if (c.compat) model.compat = { accelerator: [], machine: [{ driver: 'test-mem', property: 'mode', value: 'auto', source: COMPAT }], sugar: [] };
      if (c.global) model.globals = [{ driver: 'test-mem', property: 'mode', value: 'off' }];
      const { device } = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0', ...(c.explicit ? { mode: 'on' } : {}) }));
      assert.equal(device.get('mode'), c.value);
      // Read through the proxy's alias and on the object that holds the value: the same answer.
      assert.deepEqual(model.originOf(device, 'mode'), c.origin);
      assert.deepEqual(model.originOf(device.child('virtio-backend')!, 'mode'), c.origin);
    });
  }

  it('keeps the placeholder and its origin when a value is resolved', () => {
    const model = testModel('7.2');
    model.addObject('test-backend', 'm0', []);
    const backend = model.addDevice('test-mem-pci', 'vm0', props({ memdev: 'm0' })).device.child('virtio-backend')!;
    model.resolveProperty(backend, 'mode', 'on', "memdev 'm0' is shared memory");
    assert.equal(backend.get('mode'), 'on');
    assert.deepEqual(model.originOf(backend, 'mode'), {
      kind: 'resolved',
      from: 'auto',
      origin: { kind: 'class-default' },
      because: "memdev 'm0' is shared memory",
    });
  });

  const TEXTS: ReadonlyArray<readonly [PropertyOrigin, string]> = [
    [{ kind: 'class-default' }, 'the class default of QEMU 10.0'],
    [{ kind: 'compat', layer: 'machine', source: COMPAT }, 'the machine compat of pc-q35-7.2 (pc_compat_8_0 in QEMU 10.0)'],
    [{ kind: 'compat', layer: 'accelerator' }, 'the accelerator compat properties of QEMU 10.0'],
    [{ kind: 'global', driver: 'virtio-mem', value: 'on' }, 'set by -global virtio-mem.unplugged-inaccessible=on'],
    [{ kind: 'explicit' }, 'set explicitly on the device'],
    [
      { kind: 'resolved', from: 'auto', origin: { kind: 'compat', layer: 'machine', source: COMPAT }, because: 'it is shared' },
      'resolved from auto, the machine compat of pc-q35-7.2 (pc_compat_8_0 in QEMU 10.0), because it is shared',
    ],
  ];
  for (const [origin, expected] of TEXTS) {
    it(`describes the ${origin.kind} origin as '${expected}'`, () => assert.equal(describeOrigin(origin, 'unplugged-inaccessible', release('10.0')), expected));
  }
});
