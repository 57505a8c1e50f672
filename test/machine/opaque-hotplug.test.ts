/**
 * device_add and device_del of opaque devices on the machine: the class, bus and property checks
 * in each release's order, the slot a hotplugged device takes, and the unplug route of its bus.
 * test/conformance/opaque-hotplug.test.ts compares the same with the four binaries.
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, type StartupItem } from '../../src/machine/index.js';
import { BUS_ADDRESS } from '../../src/qom/qdev-address-props.js';

type Device = Extract<StartupItem, { kind: 'device' }>;

const device = (driver: string, id: string, props: Record<string, string> = {}, bus?: string): Device => ({
  kind: 'device',
  driver,
  id,
  ...(bus === undefined ? {} : { bus }),
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});

function start(version: string, machine: string, items: readonly StartupItem[] = []): Machine {
  const binary = qemuBinary(new Map([['qemu-version', version]]));
  return Machine.start({ release: version, arch: 'x86_64', machine, memory: '1G', items }, binary.environment).machine;
}

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

const ROOT_PORT = device('pcie-root-port', 'rp', { chassis: '1' });

/** Release, machine, start-up devices, the device_add, and its outcome. */
const ADD: ReadonlyArray<readonly [string, string, readonly StartupItem[], Device, string]> = [
  ['10.0', 'pc', [], device('e1000', 'n0'), 'ok'],
  ['10.0', 'q35', [ROOT_PORT], device('e1000e', 'n0', {}, 'rp'), 'ok'],
  ['7.2', 'pc', [], device('VGA', 'v'), "Parameter 'driver' expects a pluggable device type"],
  ['5.2', 'q35', [], device('VGA', 'v'), "Parameter 'driver' expects pluggable device type"],
  // From 10.0 the class before the bus, both before the properties.
  ['10.0', 'q35', [], device('VGA', 'v', { foo: '1' }), "Device 'VGA' does not support hotplugging"],
  ['11.1', 'q35', [], device('e1000e', 'n0', { foo: '1' }), "Bus 'pcie.0' does not support hotplugging"],
  ['10.0', 'pc', [], device('e1000', 'n0', { foo: '1' }), "Property 'e1000.foo' not found"],
  ['10.0', 'pc', [], device('e1000', 'n0', { addr: '0x1' }), 'PCI: slot 1 function 0 not available for e1000, in use by PIIX3,id=(null)'],
];

describe('machine/opaque-hotplug: device_add of opaque devices', () => {
  for (const [version, type, items, dev, expected] of ADD) {
    it(`${version} ${type}: ${JSON.stringify({ driver: dev.driver, bus: dev.bus, props: dev.props })}: ${expected}`, () => {
      const m = start(version, type, items);
      assert.equal(
        outcome(() => m.addDevice(dev)),
        expected,
      );
      assert.equal(m.model.resolvePath(dev.id!) !== undefined, expected === 'ok', 'a refused device_add leaves nothing');
    });
  }

  it('takes the first free slot of pci.0 and gives it back when a guest ejects it', () => {
    const m = start('10.0', 'pc');
    m.addDevice(device('e1000', 'n0'));
    const n0 = m.model.resolvePath('n0')!;
    assert.equal(n0.slots.get(BUS_ADDRESS)?.devPath, '0000:00:02.0');
    const events: unknown[] = [];
    m.events.on('DEVICE_DELETED', (e) => events.push(e.data));
    m.deleteDevice('n0');
    assert.equal(m.unplugPending(n0), true, 'ACPI hotplug waits for the guest');
    m.ejectDevice(n0);
    m.scheduler.runUntilIdle();
    assert.deepEqual(events, [{ device: 'n0', path: '/machine/peripheral/n0' }]);
    m.addDevice(device('i6300esb', 'wd'));
    assert.equal(m.model.resolvePath('wd')!.slots.get(BUS_ADDRESS)?.devPath, '0000:00:02.0');
  });

  it("finalizes an opaque virtio proxy's virtio-backend before the proxy", () => {
    const m = start('11.1', 'pc');
    m.addDevice(device('virtio-rng-pci', 'r'));
    const events: unknown[] = [];
    m.events.on('DEVICE_DELETED', (e) => events.push(e.data));
    m.deleteDevice('r');
    m.ejectDevice(m.model.resolvePath('r')!);
    m.scheduler.runUntilIdle();
    assert.deepEqual(events, [{ path: '/machine/peripheral/r/virtio-backend' }, { device: 'r', path: '/machine/peripheral/r' }]);
  });

  it('unplugs a USB device at once', () => {
    const m = start('7.2', 'pc', [device('piix3-usb-uhci', 'usb')]);
    m.addDevice(device('usb-tablet', 't'));
    m.deleteDevice('t');
    assert.equal(m.model.resolvePath('t'), undefined);
  });

  it('refuses device_del of a device that is not hotpluggable, after the bus check before 10.0 and before it from 10.0', () => {
    const vga = [device('VGA', 'v')];
    assert.equal(
      outcome(() => start('7.2', 'pc', vga).deleteDevice('v')),
      "Device 'VGA' does not support hotplugging",
    );
    assert.equal(
      outcome(() => start('7.2', 'q35', vga).deleteDevice('v')),
      "Bus 'pcie.0' does not support hotplugging",
    );
    assert.equal(
      outcome(() => start('10.0', 'q35', vga).deleteDevice('v')),
      "Device 'VGA' does not support hotplugging",
    );
  });
});
