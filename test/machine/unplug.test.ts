/**
 * device_del's routes (src/machine/unplug.ts) and what a machine does on each, as the real 5.2,
 * 7.2, 10.0 and 11.1 do with no operating system to eject anything (test/conformance/qmp-hotplug).
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { release } from '../../src/core/release.js';
import { Machine, type MachineOptions, type StartupItem } from '../../src/machine/index.js';
import { unplugRoute, type UnplugRoute } from '../../src/machine/unplug.js';
import type { BusHotplug } from '../../src/machine/family.js';

/** Bus, release, whether the device's slot is powered, and the route. */
const ROUTES: ReadonlyArray<readonly [Exclude<BusHotplug, 'none' | 'pcie-slot-off'> | undefined, string, boolean, UnplugRoute]> = [
  [undefined, '5.2', true, { kind: 'guest-eject', pending: false }],
  [undefined, '11.1', true, { kind: 'guest-eject', pending: false }],
  ['immediate', '5.2', true, { kind: 'immediate' }],
  ['immediate', '11.1', true, { kind: 'immediate' }],
  ['acpi-pcihp', '6.1', true, { kind: 'guest-eject', pending: false }],
  ['acpi-pcihp', '6.2', true, { kind: 'guest-eject', pending: true }],
  ['acpi-pcihp', '10.0', false, { kind: 'guest-eject', pending: true }],
  ['pcie-slot', '5.2', true, { kind: 'guest-eject', pending: true }],
  ['pcie-slot', '5.2', false, { kind: 'guest-eject', pending: true }],
  ['pcie-slot', '6.2', true, { kind: 'guest-eject', pending: true }],
  ['pcie-slot', '6.2', false, { kind: 'immediate' }],
  ['shpc', '5.2', true, { kind: 'guest-eject', pending: false }],
  ['shpc', '7.2', false, { kind: 'immediate' }],
];

const item = (kind: 'object' | 'device', type: string, id: string, props: Record<string, string> = {}): StartupItem =>
  kind === 'object'
    ? { kind, type, id, props: Object.entries(props).map(([name, value]) => ({ name, value })) }
    : { kind, driver: type, id, props: Object.entries(props).map(([name, value]) => ({ name, value })) };

function start(version: string, arch: 'x86_64' | 's390x', options: Omit<MachineOptions, 'release' | 'arch'>): Machine {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', version],
      ['arch', arch],
    ]),
  );
  return Machine.start({ release: version, arch, ...options }, binary.environment).machine;
}

function deletedEvents(machine: Machine): unknown[] {
  const events: unknown[] = [];
  machine.events.on('DEVICE_DELETED', (e) => events.push(e.data));
  return events;
}

const pc = (version: string) =>
  start(version, 'x86_64', {
    machine: 'pc',
    memory: '1G,slots=2,maxmem=8G',
    items: [
      item('object', 'memory-backend-ram', 'mem0', { size: '1G' }),
      item('object', 'memory-backend-ram', 'mem1', { size: '1G' }),
      item('device', 'virtio-mem-pci', 'vm0', { memdev: 'mem0' }),
      item('device', 'pc-dimm', 'd0', { memdev: 'mem1' }),
      item('device', 'virtio-balloon-pci', 'b0'),
    ],
  });

describe('machine/unplug: what device_del does once its checks pass', () => {
  for (const [hotplug, version, powered, route] of ROUTES) {
    const slot = powered ? 'powered' : 'unpowered';
    it(`${hotplug ?? 'no bus (a DIMM)'} in ${version}, ${slot}: ${route.kind}${route.kind === 'guest-eject' ? `, pending ${String(route.pending)}` : ''}`, () => {
      assert.deepEqual(unplugRoute(hotplug, release(version), powered), route);
    });
  }

  it('10.0 pc: the devices stay for the guest to eject; the pending ones refuse a second device_del and a new requested-size', () => {
    const m = pc('10.0');
    const events = deletedEvents(m);
    for (const id of ['vm0', 'd0', 'b0']) m.deleteDevice(id);
    m.scheduler.runUntilIdle();
    assert.deepEqual(events, []);
    assert.deepEqual(
      m.memoryDevices().map((d) => d.id),
      ['vm0', 'd0'],
    );
    assert.equal(m.dimmSize(), 1 << 30, "a DIMM waiting for its eject still counts in the balloon's RAM size");
    assert.throws(() => m.deleteDevice('vm0'), { message: 'Device vm0 is already in the process of unplug' });
    assert.throws(() => m.deleteDevice('b0'), { message: 'Device b0 is already in the process of unplug' });
    assert.doesNotThrow(() => m.deleteDevice('d0'), 'ACPI memory hotplug sets no pending flag');
    const vm0 = m.model.resolvePath('vm0')!;
    assert.throws(() => m.model.setProperty(vm0, 'requested-size', { source: 'json', json: 2097152 }), {
      message: "'requested-size' cannot be changed if the device is in the process of unplug",
    });
    assert.equal(vm0.get('requested-size'), 0, 'the refused write changed nothing');
    // The proxy's own setter guards it; the backend's property has no such check (as in QEMU).
    assert.doesNotThrow(() => m.model.setProperty(vm0.child('virtio-backend')!, 'requested-size', { source: 'json', json: 0 }));
  });

  it('5.2 pc: ACPI PCI hotplug sets no pending flag yet, so a second device_del is taken', () => {
    const m = pc('5.2');
    m.deleteDevice('b0');
    assert.doesNotThrow(() => m.deleteDevice('b0'));
    assert.equal(m.unplugPending(m.model.resolvePath('b0')!), false);
  });

  it('an eject removes the device; DEVICE_DELETED comes after, the backend before its proxy', () => {
    const m = pc('10.0');
    const events = deletedEvents(m);
    m.deleteDevice('b0');
    m.ejectDevice(m.model.resolvePath('b0')!);
    assert.equal(m.model.resolvePath('b0'), undefined, 'gone at once');
    assert.deepEqual(events, [], 'the events wait for finalization');
    m.scheduler.runUntilIdle();
    assert.deepEqual(events, [{ path: '/machine/peripheral/b0/virtio-backend' }, { device: 'b0', path: '/machine/peripheral/b0' }]);
    assert.throws(() => m.deleteDevice('b0'), { message: "Device 'b0' not found" });
  });

  it('an eject nobody asked for is a bug of the caller', () => {
    const m = pc('10.0');
    assert.throws(() => m.ejectDevice(m.model.resolvePath('b0')!), /was not asked to be ejected/);
  });

  it('s390x: the virtual channel subsystem unplugs at once', () => {
    const m = start('10.0', 's390x', { memory: '1G', items: [item('device', 'virtio-balloon-ccw', 'b0')] });
    const events = deletedEvents(m);
    m.deleteDevice('b0');
    assert.equal(m.model.resolvePath('b0'), undefined);
    m.scheduler.runUntilIdle();
    assert.deepEqual(events, [{ path: '/machine/peripheral/b0/virtio-backend' }, { device: 'b0', path: '/machine/peripheral/b0' }]);
  });

  it("s390x: a controller's buses go with it, and the devices on them", () => {
    const m = start('10.0', 's390x', {
      memory: '1G',
      items: [item('device', 'virtio-scsi-ccw', 's'), { kind: 'device', driver: 'scsi-cd', id: 'cd0', bus: 's.0', props: [] }],
    });
    const events = deletedEvents(m);
    assert.ok(m.childBuses.some((b) => b.name === 's.0'));
    m.deleteDevice('s');
    m.scheduler.runUntilIdle();
    assert.equal(m.model.resolvePath('cd0'), undefined);
    assert.equal(
      m.childBuses.some((b) => b.name === 's.0'),
      false,
    );
    // As real 10.0.13 sends them: the device on the bus, the opaque proxy's virtio-backend, the proxy.
    assert.deepEqual(events, [
      { device: 'cd0', path: '/machine/peripheral/cd0' },
      { path: '/machine/peripheral/s/virtio-backend' },
      { device: 's', path: '/machine/peripheral/s' },
    ]);
  });

  it('a refused device_del (virtio-mem with memory plugged) changes nothing', () => {
    const m = start('10.0', 'x86_64', {
      machine: 'pc',
      memory: '1G,maxmem=8G',
      items: [
        item('object', 'memory-backend-ram', 'mem0', { size: '1G' }),
        item('device', 'virtio-mem-pci', 'vm0', { memdev: 'mem0', 'requested-size': '128M' }),
      ],
    });
    assert.throws(() => m.deleteDevice('vm0'), { message: "virtio-mem device cannot get unplugged while 'requested-size' != '0'" });
    const vm0 = m.model.resolvePath('vm0')!;
    assert.equal(m.ejectRequested(vm0), false);
    assert.doesNotThrow(() => m.model.setProperty(vm0, 'requested-size', { source: 'json', json: 0 }));
  });
});
