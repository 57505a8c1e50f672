/**
 * Opaque devices: any device type of the release hotmem has no model of, built from the
 * release's device data. Their properties are checked by type with QEMU's messages, 64-bit values
 * are held exactly, and vfio-pci, whose behaviour matters, is modelled from the same data.
 * test/conformance/opaque-devices.test.ts compares them with the four binaries.
 */
import assert from 'node:assert/strict';
import { typeRegistry } from '../../src/cli/binary.js';
import { release } from '../../src/core/release.js';
import { ObjectModel, type PropertyInput } from '../../src/qom/object-model.js';
import { opaqueDeviceType } from '../../src/qom/opaque-device.js';

const model = (r = '10.0', target: 'x86_64' | 's390x' = 'x86_64') => new ObjectModel(typeRegistry(), { release: release(r), target });
const text = (props: Record<string, string>) =>
  Object.entries(props).map(([name, t]): { name: string; input: PropertyInput } => ({ name, input: { source: 'text', text: t, visitor: 'keyval' } }));
const json = (props: Record<string, unknown>) =>
  Object.entries(props).map(([name, j]): { name: string; input: PropertyInput } => ({ name, input: { source: 'json', json: j } }));

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('qom/opaque-device', () => {
  it('is a type of the release, under the modelled PCI device base', () => {
    const m = model();
    const info = m.view.info('piix3-usb-uhci')!;
    assert.equal(info.opaque, true);
    assert.equal(info.parent, 'pci-device');
    assert.equal(m.view.info('piix3-usb-uhci')?.category, 'USB');
    assert.equal(model('10.0', 's390x').view.info('piix3-usb-uhci'), undefined);
  });

  it('reads its defaults from the release table, 64-bit ones exactly', () => {
    const { device } = model().addDevice('virtio-rng-pci', 'rng', []);
    assert.equal(device.get('period'), 65536);
    assert.equal(device.get('max-bytes'), '9223372036854775807');
    const def = device.model.view.properties('virtio-rng-pci').get('max-bytes')!.def;
    assert.equal(def.visit?.(device.get('max-bytes')), 9223372036854775807n);
  });

  const SET: ReadonlyArray<readonly [what: string, props: ReturnType<typeof text>, property: string, value: unknown]> = [
    ['a uint64 past 2^53, as text', text({ 'max-bytes': '18446744073709551615' }), 'max-bytes', '18446744073709551615'],
    ['a uint64 in hex', text({ 'max-bytes': '0x20000000000001' }), 'max-bytes', '9007199254740993'],
    ['a uint64 past 2^53, as JSON', json({ 'max-bytes': 9007199254740993n }), 'max-bytes', '9007199254740993'],
    ['a small uint64', text({ 'max-bytes': '4096' }), 'max-bytes', 4096],
    ['a uint32', text({ period: '5' }), 'period', 5],
    ['an OnOffAuto from its description', text({ 'disable-legacy': 'on' }), 'disable-legacy', 'on'],
  ];
  for (const [what, props, property, value] of SET) {
    it(`sets ${what}`, () => assert.equal(model().addDevice('virtio-rng-pci', 'rng', props).device.get(property), value));
  }

  const REFUSED: ReadonlyArray<readonly [what: string, driver: string, props: ReturnType<typeof text>, message: string]> = [
    ['a uint64 past 2^64', 'virtio-rng-pci', text({ 'max-bytes': '18446744073709551616' }), "Parameter 'max-bytes' expects integer"],
    ['a uint32 past 2^32', 'piix3-usb-uhci', text({ maxframes: '4294967296' }), "Parameter 'maxframes' expects uint32_t"],
    ['a JSON string for a uint64', 'virtio-rng-pci', json({ 'max-bytes': '5' }), "Parameter 'max-bytes' expects uint64"],
    ['an enum value it lacks', 'ide-hd', text({ rerror: 'never' }), "Parameter 'rerror' does not accept value 'never'"],
    ['an unknown property', 'piix3-usb-uhci', text({ foo: '1' }), "Property 'piix3-usb-uhci.foo' not found"],
    [
      'a backend reference it cannot check',
      'tpm-crb',
      text({ tpmdev: 't0' }),
      "hotmem does not check values of property 'tpm-crb.tpmdev' (of type str: ID of a tpm to use as a backend), so it sets none",
    ],
    ['a netdev that does not exist', 'e1000', text({ netdev: 'n0' }), "Property 'e1000.netdev' can't find value 'n0'"],
    ['a MAC address of five pairs', 'e1000', text({ mac: '52:54:00:12:34' }), "Property 'e1000.mac' doesn't take value '52:54:00:12:34'"],
    [
      'a link',
      'virtio-rng-pci',
      text({ rng: 'r0' }),
      "hotmem does not check values of property 'virtio-rng-pci.rng' (of type link<rng-backend>), so it sets none",
    ],
  ];
  for (const [what, driver, props, message] of REFUSED)
    it(`refuses ${what}`, () =>
      assert.equal(
        errorOf(() => model().addDevice(driver, 'd', props)),
        message,
      ));

  // DeviceClass.hotpluggable as each binary answered device_add (compat/devices); the machine
  // adds the bus checks (test/machine/opaque-hotplug.test.ts).
  const LATER: ReadonlyArray<readonly [release: string, driver: string, outcome: string]> = [
    ['10.0', 'e1000', 'added'],
    ['5.2', 'VGA', "Parameter 'driver' expects pluggable device type"],
    ['7.2', 'VGA', "Parameter 'driver' expects a pluggable device type"],
    ['10.0', 'VGA', "Device 'VGA' does not support hotplugging"],
    [
      '10.0',
      'virtio-net-device',
      "hotmem does not model device_add of device 'virtio-net-device': whether QEMU hotplugs it is not known (the release's binary could not be asked), so it is an opaque instance at start-up only",
    ],
  ];
  for (const [r, driver, outcome] of LATER) {
    it(`device_add of ${driver} on ${r}: ${outcome}`, () => {
      const m = model(r);
      m.machineReady = true;
      const result = (() => {
        try {
          m.addDevice(driver, 'd', []);
          return 'added';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      assert.equal(result, outcome);
      assert.equal(m.container('/machine/peripheral').child('d') !== undefined, outcome === 'added');
    });
  }

  it("says 'non-abstract device type' without the article in 5.2, with it from 6.0", () => {
    assert.equal(
      errorOf(() => model('5.2').addDevice('pci-device', 'd', [])),
      "Parameter 'driver' expects non-abstract device type",
    );
    assert.equal(
      errorOf(() => model('7.2').addDevice('pci-device', 'd', [])),
      "Parameter 'driver' expects a non-abstract device type",
    );
  });

  // The machine adds their secondary buses (test/machine/pci-bridges.test.ts).
  for (const driver of ['pci-bridge', 'pcie-root-port', 'pcie-pci-bridge', 'pxb-pcie']) {
    it(`makes ${driver} an opaque type with its property table`, () => {
      const m = model();
      assert.equal(m.view.info(driver)?.opaque, true);
      assert.equal(m.view.properties(driver).has('addr'), true);
    });
  }

  it('never makes vfio-pci opaque: devices/vfio-pci builds it from the same data, with its behaviour', () => {
    const env = { release: release('10.0'), target: 'x86_64' as const };
    const info = model().view.info('vfio-pci')!;
    assert.equal(
      opaqueDeviceType('vfio-pci', env, (t) => model().view.info(t)),
      undefined,
    );
    assert.deepEqual([info.opaque, info.helpFromData, info.hotpluggable], [undefined, true, true]);
    assert.equal(model('5.2').view.info('vfio-pci-nohotplug')!.hotpluggable, false);
    assert.equal(model().view.info('vfio-pci-nohotplug')!.hotpluggable, false);
  });

  // Devices whose memory an opaque instance would leave out: refused by name, not answered short.
  for (const [version, driver] of [
    ['7.2', 'qxl-vga'],
    ['5.2', 'qxl'],
    ['10.0', 'ivshmem-plain'],
    ['11.1', 'ivshmem-doorbell'],
  ] as const) {
    it(`refuses ${driver} (${version}) by name: its memory is not modelled`, () =>
      assert.match(
        errorOf(() => model(version).addDevice(driver, 'd', [])),
        new RegExp(`^hotmem does not model device '${driver}' yet \\(QEMU ${version.replace('.', '\\.')} has it`),
      ));
  }

  it('leaves vfio-pci refused by name on s390x, where its zPCI bus is not modelled', () =>
    assert.match(
      errorOf(() => model('10.0', 's390x').addDevice('vfio-pci', 'd', [])),
      /^hotmem does not model device 'vfio-pci' yet/,
    ));
});
