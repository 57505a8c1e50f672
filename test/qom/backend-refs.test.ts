/**
 * Backend references and MAC addresses of opaque devices (src/qom/backend-refs.ts): looked up
 * among the backends the command line created, a chardev taken once, a MAC as six hex pairs.
 * test/conformance/device-buses.test.ts compares them with the four binaries.
 */
import assert from 'node:assert/strict';
import { typeRegistry } from '../../src/cli/binary.js';
import { release } from '../../src/core/release.js';
import { BACKEND_IDS, backendKind, type BackendIds } from '../../src/qom/backend-refs.js';
import { ObjectModel, type PropertyInput } from '../../src/qom/object-model.js';

const BACKENDS: BackendIds = {
  ids: { block: new Set(['disk0']), chardev: new Set(['c0', 'mon']), netdev: new Set(), audiodev: new Set(['a0']) },
  heldChardevs: new Set(['mon']),
};

function model(r = '10.0'): ObjectModel {
  const m = new ObjectModel(typeRegistry(), { release: release(r), target: 'x86_64' });
  m.services.set(BACKEND_IDS, BACKENDS);
  return m;
}
const text = (name: string, t: string) => [{ name, input: { source: 'text', text: t, visitor: 'keyval' } as PropertyInput }];

function outcome(f: () => { device: { get(p: string): unknown } }, property: string): unknown {
  try {
    return f().device.get(property);
  } catch (e) {
    return (e as Error).message;
  }
}

describe('qom/backend-refs', () => {
  const CASES: ReadonlyArray<readonly [what: string, driver: string, property: string, value: string, expect: unknown]> = [
    ['a block node that exists', 'ide-cd', 'drive', 'disk0', 'disk0'],
    ['a block node that does not', 'ide-cd', 'drive', 'disk1', "Property 'ide-cd.drive' can't find value 'disk1'"],
    ['a chardev that exists', 'virtserialport', 'chardev', 'c0', 'c0'],
    [
      'a chardev a monitor holds',
      'virtserialport',
      'chardev',
      'mon',
      "Property 'virtserialport.chardev' can't take value 'mon': chardev 'mon' is already in use",
    ],
    ['a netdev (none can exist)', 'e1000', 'netdev', 'n0', "Property 'e1000.netdev' can't find value 'n0'"],
    ['an audiodev that exists', 'hda-duplex', 'audiodev', 'a0', 'a0'],
    ['an audiodev that does not', 'hda-duplex', 'audiodev', 'a1', "audiodev 'a1' not found"],
    ['a MAC with colons', 'e1000', 'mac', '52:54:00:AB:34:56', '52:54:00:ab:34:56'],
    ['a MAC with dashes', 'e1000', 'mac', '52-54-00-12-34-56', '52:54:00:12:34:56'],
    ['a MAC with a short pair', 'e1000', 'mac', '52:54:00:12:34:5', "Property 'e1000.mac' doesn't take value '52:54:00:12:34:5'"],
    ['a MAC with a seventh pair', 'e1000', 'mac', '52:54:00:12:34:56:78', "Property 'e1000.mac' doesn't take value '52:54:00:12:34:56:78'"],
    // A virtio proxy's properties are its backend's: the messages name the backend's type.
    ['a proxy netdev that does not exist', 'virtio-net-pci', 'netdev', 'n0', "Property 'virtio-net-device.netdev' can't find value 'n0'"],
    ['a proxy MAC that is none', 'virtio-net-pci', 'mac', 'zz', "Property 'virtio-net-device.mac' doesn't take value 'zz'"],
  ];
  for (const [what, driver, property, value, expect] of CASES) {
    it(`${what}: ${JSON.stringify(expect)}`, () =>
      assert.deepEqual(
        outcome(() => model().addDevice(driver, 'd', text(property, value)), property),
        expect,
      ));
  }

  it('gives a chardev to one device only', () => {
    const m = model();
    m.addDevice('virtserialport', 'p0', text('chardev', 'c0'));
    assert.equal(
      outcome(() => m.addDevice('virtserialport', 'p1', text('chardev', 'c0')), 'chardev'),
      "Property 'virtserialport.chardev' can't take value 'c0': chardev 'c0' is already in use",
    );
  });

  it('words a chardev in use as QERR_DEVICE_IN_USE before 9.0', () =>
    assert.equal(
      outcome(() => model('7.2').addDevice('virtserialport', 'p0', text('chardev', 'mon')), 'chardev'),
      "Property 'virtserialport.chardev' can't take value 'mon': Device 'mon' is in use",
    ));

  it('refuses by name a second device on one block node (block permissions are not modelled)', () => {
    const m = model();
    m.addDevice('ide-cd', 'cd0', text('drive', 'disk0'));
    assert.match(String(outcome(() => m.addDevice('ide-cd', 'cd1', text('drive', 'disk0')), 'drive')), /^hotmem does not model block permissions/);
  });

  it('finds nothing where the front end gave no backends', () => {
    const bare = new ObjectModel(typeRegistry(), { release: release('10.0'), target: 'x86_64' });
    assert.equal(
      outcome(() => bare.addDevice('ide-cd', 'cd0', text('drive', 'disk0')), 'drive'),
      "Property 'ide-cd.drive' can't find value 'disk0'",
    );
  });

  it('knows a backend property by the description qdev gives it', () => {
    assert.equal(backendKind('Node name or ID of a block device to use as a backend'), 'block');
    assert.equal(backendKind('ID of a tpm to use as a backend'), undefined);
  });

  it('takes a MAC from JSON as a string only', () => {
    assert.throws(() => model().addDevice('e1000', 'd', [{ name: 'mac', input: { source: 'json', json: 5 } }]), {
      message: "Invalid parameter type for 'mac', expected: string",
    });
  });
});
