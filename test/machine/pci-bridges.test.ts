/**
 * PCI bridges' secondary buses (src/machine/pci-bridges.ts and the machine's use of it), as the
 * real 5.2, 7.2, 10.0 and 11.1 have them (test/conformance/pci-bridges.test.ts compares them).
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { release } from '../../src/core/release.js';
import { Machine, type MachineOptions, type StartupItem } from '../../src/machine/index.js';
import { bridgeRule, secondaryBusHotplug, type BridgeSettings } from '../../src/machine/pci-bridges.js';
import type { BusHotplug } from '../../src/machine/family.js';
import { BUS_ADDRESS } from '../../src/qom/qdev-address-props.js';

const ON: BridgeSettings = { hotplug: true, shpc: true };
const OFF: BridgeSettings = { hotplug: false, shpc: false };

/** Bridge type, its settings, whether the board's ACPI hotplugs bridges, release, and the bus's hotplug. */
const HOTPLUG: ReadonlyArray<readonly [string, BridgeSettings, boolean, string, BusHotplug]> = [
  ['pcie-root-port', ON, false, '5.2', 'pcie-slot'],
  ['pcie-root-port', ON, true, '10.0', 'acpi-pcihp'],
  ['pcie-root-port', OFF, false, '5.2', 'pcie-slot-off'],
  ['pcie-root-port', OFF, true, '5.2', 'acpi-pcihp'],
  ['pcie-root-port', OFF, true, '7.2', 'none'],
  ['pcie-root-port', OFF, false, '11.1', 'none'],
  ['xio3130-downstream', ON, false, '7.2', 'pcie-slot'],
  ['x3130-upstream', ON, false, '7.2', 'none'],
  ['x3130-upstream', ON, true, '7.2', 'acpi-pcihp'],
  ['pci-bridge', ON, false, '5.2', 'shpc'],
  ['pci-bridge', OFF, false, '5.2', 'none'],
  ['pci-bridge', OFF, true, '5.2', 'acpi-pcihp'],
  ['pcie-pci-bridge', OFF, false, '7.2', 'shpc'],
  ['i82801b11-bridge', ON, false, '5.2', 'none'],
];

const item = (driver: string, id: string | undefined, props: Record<string, string> = {}, bus?: string): StartupItem => ({
  kind: 'device',
  driver,
  ...(id === undefined ? {} : { id }),
  ...(bus === undefined ? {} : { bus }),
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});

function start(version: string, machine: string, items: readonly StartupItem[], more: Partial<MachineOptions> = {}) {
  const binary = qemuBinary(new Map([['qemu-version', version]]));
  return Machine.start({ release: version, arch: 'x86_64', machine, memory: '1G,maxmem=8G', items, ...more }, binary.environment);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const devPath = (m: Machine, id: string) => m.model.resolvePath(id)!.slots.get(BUS_ADDRESS)?.devPath;

describe('machine/pci-bridges: the hotplug handler of a secondary bus', () => {
  for (const [type, settings, acpi, version, hotplug] of HOTPLUG) {
    const what = `${type} ${settings.hotplug ? 'on' : 'off'}${acpi ? ', ACPI bridge hotplug' : ''} in ${version}`;
    it(`${what}: ${hotplug}`, () => assert.equal(secondaryBusHotplug(bridgeRule(type)!, settings, acpi, release(version)), hotplug));
  }

  it('models the bridges of the issue and the expander bridges, not the CXL ones', () => {
    for (const t of [
      'pcie-root-port',
      'ioh3420',
      'xio3130-downstream',
      'x3130-upstream',
      'pci-bridge',
      'pcie-pci-bridge',
      'i82801b11-bridge',
      'pxb',
      'pxb-pcie',
    ]) {
      assert.ok(bridgeRule(t), t);
    }
    for (const t of ['pxb-cxl', 'cxl-rp', 'toString']) assert.equal(bridgeRule(t), undefined, t);
  });
});

describe('machine/pci-bridges: buses behind bridges', () => {
  it("names a bus by its bridge's id, and an unnamed one by class and count (q35's first is pcie.0, which finds the root)", () => {
    const { machine: m } = start('10.0', 'q35', [
      item('pcie-root-port', undefined),
      item('pcie-root-port', undefined, { chassis: '1' }),
      item('pci-bridge', undefined, { chassis_nr: '3' }),
      item('pcie-pci-bridge', 'named', {}, 'pcie.1'),
      item('virtio-rng-pci', 'r', { addr: '1' }, 'named'),
      item('virtio-rng-pci', 'r0', {}, 'pcie.0'),
    ]);
    assert.deepEqual(
      m.buses.searchOrder.map((b) => b.name),
      ['pcie.0', 'pci.0', 'pcie.1', 'named', 'pcie.0'],
    );
    assert.equal(devPath(m, 'r'), '0000:00:02.0:00.0:01.0');
    assert.equal(devPath(m, 'r0'), '0000:00:04.0', 'on the root bus, after the three bridges');
  });

  it("counts on from i440fx's pci.0, named by automatic id", () => {
    const { machine: m } = start('7.2', 'pc', [item('pci-bridge', undefined, { chassis_nr: '1' })]);
    assert.deepEqual(
      m.buses.searchOrder.map((b) => b.name),
      ['pci.0', 'pci.1'],
    );
  });

  it('refuses a second PCIe slot of one chassis, and a pci-bridge without a chassis', () => {
    const twice = [item('pcie-root-port', 'a', { chassis: '1' }), item('pcie-root-port', 'b', { chassis: '1' })];
    assert.match(
      errorOf(() => start('7.2', 'q35', twice)),
      /-device pcie-root-port,id=b.*: Can't add chassis slot, error -16$|Can't add chassis slot, error -16/,
    );
    assert.doesNotThrow(() => start('7.2', 'q35', [twice[0]!, item('pcie-root-port', 'b', { chassis: '1', slot: '1' })]));
    assert.match(
      errorOf(() => start('7.2', 'pc', [item('pci-bridge', 'br')])),
      /Bridge chassis not specified. Each bridge is required to be assigned a unique chassis id > 0.$/,
    );
  });

  it('below a port: slot 0 only, with a warning from 8.1 for other slots, and no guess for a device it cannot tell is PCIe', () => {
    const items = (addr: string, driver = 'virtio-balloon-pci') => [item('pcie-root-port', 'rp', { chassis: '1' }), item(driver, 'd', { addr }, 'rp')];
    assert.deepEqual(start('7.2', 'q35', items('1')).warnings, []);
    assert.deepEqual(
      start('10.0', 'q35', items('1')).warnings.map((w) => w.message),
      ['PCI: slot 1 is not valid for virtio-balloon-pci, parent device only allows plugging into slot 0.'],
    );
    // A NIC with no netdev gets net_check_clients' warning, as QEMU gives it without a default network.
    assert.deepEqual(
      start('10.0', 'q35', items('0', 'e1000e')).warnings.map((w) => w.message),
      ['nic d has no peer'],
    );
    assert.match(
      errorOf(() => start('10.0', 'q35', items('1', 'e1000e'))),
      /hotmem does not know whether e1000e is a PCI Express device/,
    );
  });

  it('refuses slot 0 of a standard hotplug controller, which the ACPI hotplug of bridges leaves alone', () => {
    const items = [item('pci-bridge', 'br', { chassis_nr: '1' }), item('virtio-balloon-pci', 'b', { addr: '0' }, 'br')];
    assert.match(
      errorOf(() => start('5.2', 'q35', items)),
      /Unsupported PCI slot 0 for standard hotplug controller. Valid slots are between 1 and 31.$/,
    );
    assert.doesNotThrow(() => start('7.2', 'q35', items));
    assert.doesNotThrow(() => start('5.2', 'pc', items));
  });

  it('refuses the bridges whose bus it does not model, by name', () => {
    assert.match(
      errorOf(() => start('10.0', 'q35', [item('cxl-rp', 'x')])),
      /hotmem models no bus behind device 'cxl-rp'/,
    );
  });

  it("puts an expander bridge's root bus first in the search, taking bridges only", () => {
    const { machine: m } = start('10.0', 'q35', [
      item('pxb-pcie', 'x', { bus_nr: '4' }),
      item('pcie-root-port', 'rp', { chassis: '2' }, 'x'),
      item('virtio-rng-pci', 'r', {}, 'rp'),
    ]);
    assert.deepEqual(
      m.buses.searchOrder.map((b) => b.name),
      ['x', 'rp', 'pcie.0'],
    );
    assert.equal(devPath(m, 'r'), '0000:04:00.0:00.0');
    assert.match(
      errorOf(() => start('10.0', 'q35', [item('pxb-pcie', 'x', { bus_nr: '4' }), item('virtio-rng-pci', 'r')])),
      /PCI: Only PCI\/PCIe bridges can be plugged into pxb-pcie$/,
    );
  });

  it("gives pxb its pxb-internal root bus with a pci-bridge whose bus is the pxb's id", () => {
    const { machine: m } = start('7.2', 'pc', [
      item('pxb', undefined, { bus_nr: '4' }),
      item('pxb', 'x', { bus_nr: '6' }, 'pci.0'),
      item('virtio-rng-pci', 'r', {}, 'x'),
    ]);
    assert.deepEqual(
      m.buses.searchOrder.map((b) => b.name),
      ['pxb-internal', 'x', 'pxb-internal', 'pci.1', 'pci.0'],
    );
    assert.equal(devPath(m, 'r'), '0000:06:00.0:00.0');
  });

  it("checks an expander's bus, NUMA node and bus number as pxb_dev_realize_common does", () => {
    const refusal = (machine: string, items: StartupItem[]) => errorOf(() => start('10.0', machine, items)).replace(/^.*: /, '');
    assert.equal(refusal('q35', [item('pxb', 'x', { bus_nr: '4' })]), 'pxb devices cannot reside on a PCIe bus');
    assert.equal(refusal('pc', [item('pxb-pcie', 'x', { bus_nr: '4' })]), 'pxb-pcie devices cannot reside on a PCI bus');
    assert.equal(refusal('q35', [item('pxb-pcie', 'x', { bus_nr: '4', numa_node: '1' })]), 'Illegal numa node 1');
    assert.equal(
      refusal('pc', [item('pci-bridge', 'br', { chassis_nr: '1' }), item('pxb', 'x', { bus_nr: '5' }, 'br')]),
      'PXB devices can be attached only to root bus',
    );
    assert.equal(refusal('pc', [item('pci-bridge', 'br', { chassis_nr: '1' }), item('pxb', 'x', {}, 'pci.0')]), 'Bus 0 is already in use');
    assert.equal(
      refusal('q35', [item('pxb-pcie', 'x', { bus_nr: '4' }, 'pcie.0'), item('pxb-pcie', 'y', { bus_nr: '4' }, 'pcie.0')]),
      'Bus 4 is already in use',
    );
    assert.equal(refusal('pc', [item('pxb', 'x')]), 'Bridge chassis not specified. Each bridge is required to be assigned a unique chassis id > 0.');
  });

  it("takes the board's ACPI hotplug of bridges from compat and -global, and none with acpi=off", () => {
    const rp = [item('pcie-root-port', 'rp', { chassis: '1' })];
    const hotplugOf = (m: Machine) => m.buses.searchOrder.find((b) => b.name === 'rp')?.hotplug;
    assert.equal(hotplugOf(start('7.2', 'q35', rp).machine), 'acpi-pcihp');
    assert.equal(hotplugOf(start('7.2', 'pc-q35-6.0', rp).machine), 'pcie-slot');
    assert.equal(hotplugOf(start('5.2', 'q35', rp).machine), 'pcie-slot');
    assert.equal(hotplugOf(start('7.2', 'q35', rp, { globals: ['ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off'] }).machine), 'pcie-slot');
    assert.equal(hotplugOf(start('7.2', 'pc', rp).machine), 'acpi-pcihp');
    assert.equal(hotplugOf(start('7.2', 'pc', rp, { machineProps: [{ name: 'acpi', value: 'off' }] }).machine), 'pcie-slot');
  });
});

describe('machine/pci-bridges: device_add and device_del behind bridges', () => {
  const balloon = { kind: 'device' as const, driver: 'virtio-balloon-pci', id: 'b', props: [] };

  it('native PCIe: a device hotplugged into a slot no guest powered goes at once from 6.2; one there at reset waits', () => {
    const ports = [item('pcie-root-port', 'rp', { chassis: '1' }), item('pcie-root-port', 'rp2', { chassis: '2' })];
    const m = start('7.2', 'pc-q35-6.0', [...ports, item('virtio-rng-pci', 'cold', {}, 'rp')]).machine;
    m.addDevice({ ...balloon, bus: 'rp2' });
    m.deleteDevice('b');
    assert.equal(m.model.resolvePath('b'), undefined);
    m.deleteDevice('cold');
    assert.throws(() => m.deleteDevice('cold'), { message: 'Device cold is already in the process of unplug' });
  });

  it('hotplug=off: the port refuses each request in 5.2, the bus itself from 7.2', () => {
    const items = [item('pcie-root-port', 'rp', { chassis: '1', hotplug: 'off' }), item('virtio-balloon-pci', 'cold', {}, 'rp')];
    const old = start('5.2', 'q35', items).machine;
    assert.throws(() => old.addDevice({ ...balloon, bus: 'rp' }), { message: "Hot-plug failed: unsupported by the port device 'rp'" });
    assert.equal(old.model.resolvePath('b'), undefined, 'the refused device_add left nothing');
    assert.throws(() => old.deleteDevice('cold'), { message: "Hot-unplug failed: unsupported by the port device 'rp'" });
    const now = start('7.2', 'q35', items).machine;
    assert.throws(() => now.addDevice({ ...balloon, bus: 'rp' }), { message: "Bus 'rp' does not support hotplugging" });
    assert.throws(() => now.deleteDevice('cold'), { message: "Bus 'rp' does not support hotplugging" });
  });

  it('a bridge the guest ejects takes its bus and the devices on it along, theirs deleted first', () => {
    const m = start('10.0', 'pc', [item('pci-bridge', 'br', { chassis_nr: '1' }), item('virtio-balloon-pci', 'b', { addr: '1' }, 'br')]).machine;
    const events: unknown[] = [];
    m.events.on('DEVICE_DELETED', (e) => events.push(e.data));
    m.deleteDevice('br');
    m.ejectDevice(m.model.resolvePath('br')!);
    m.scheduler.runUntilIdle();
    assert.deepEqual(
      m.buses.searchOrder.map((b) => b.name),
      ['pci.0'],
    );
    assert.equal(m.model.resolvePath('b'), undefined);
    assert.deepEqual(events, [
      { path: '/machine/peripheral/b/virtio-backend' },
      { device: 'b', path: '/machine/peripheral/b' },
      { device: 'br', path: '/machine/peripheral/br' },
    ]);
  });
});
