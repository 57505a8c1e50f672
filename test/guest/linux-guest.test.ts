import assert from 'node:assert/strict';
import { MiB } from '../../src/core/units.js';
import { attachLinuxGuest } from '../../src/cli/guest.js';
import { startVirtioMem } from '../devices/virtio-mem/helpers.js';
import { VIRTIO_STATUS, virtioStatusReply } from '../../src/virtio/qmp-status.js';

function guestMachine(kernel: string, opts: Parameters<typeof startVirtioMem>[0] = {}) {
  const f = startVirtioMem({ size: '2G', ...opts });
  const guest = attachLinuxGuest(f.machine, { kernel });
  const events: number[] = [];
  f.machine.events.on('MEMORY_DEVICE_SIZE_CHANGE', (e) => events.push(e.data.size / MiB));
  const request = (bytes: number) => {
    f.machine.model.setProperty(f.proxy, 'requested-size', { source: 'json', json: bytes });
    guest.settle();
  };
  return { f, guest, events, request };
}

describe('guest/linux-guest: a Linux guest in a machine', () => {
  it('6.1 plugs towards requested-size and unplugs back, as a real 6.1 guest on QEMU 7.2 does', () => {
    const { f, guest, events, request } = guestMachine('6.1');
    request(300 * MiB);
    assert.equal(f.proxy.get('size'), 300 * MiB);
    // One event at once, the rest coalesced into the final size a second later.
    assert.deepEqual(events, [128, 300]);
    request(0);
    assert.equal(f.proxy.get('size'), 0);
    assert.ok(guest.dmesg().some((e) => e.kind === 'dmesg' && e.text.includes('plugged size: 0x0')));
  });

  it('a 5.15 guest cannot use a device that requires UNPLUGGED_INACCESSIBLE, and plugs nothing', () => {
    const { f, guest, request } = guestMachine('5.15', { backend: 'memory-backend-memfd' });
    request(256 * MiB);
    assert.equal(f.proxy.get('size'), 0);
    assert.ok(
      guest.dmesg().some((e) => e.kind === 'dmesg' && e.text.includes('refuses features')),
      guest
        .dmesg()
        .map((e) => (e.kind === 'dmesg' ? e.text : ''))
        .join('\n'),
    );
  });

  it('with unplugged-inaccessible=off the same 5.15 guest plugs', () => {
    const { f, request } = guestMachine('5.15', { backend: 'memory-backend-memfd', device: 'unplugged-inaccessible=off' });
    request(256 * MiB);
    assert.equal(f.proxy.get('size'), 256 * MiB);
  });

  it('guest writes to plugged memory cost the host exactly what the host model says', () => {
    const { f, guest, request } = guestMachine('6.1');
    request(512 * MiB);
    const before = f.machine.process.status().rssAnon;
    guest.memory.write(f.base, 256 * MiB, 1);
    assert.equal(f.machine.process.status().rssAnon - before, 256 * MiB);
  });
});

describe('guest/linux-guest: the transport registers the driver leaves behind', () => {
  // x-query-virtio-status's queue-sel after a real Linux 6.1 guest on QEMU 7.2 set the devices
  // up: the balloon's stats queue (2), virtio-mem's only queue (0); a reset leaves 0.
  const queueSel = (machine: ReturnType<typeof startVirtioMem>['machine'], path: string) =>
    (
      virtioStatusReply(
        machine.release,
        machine.arch,
        machine.model.view.implementation(machine.model.resolvePath(path)!.type, VIRTIO_STATUS)!(machine.model.resolvePath(path)!)!,
        true,
      ) as { 'queue-sel': number }
    )['queue-sel'];

  it('virtio-pci keeps the last queue the driver selected; the balloon without a driver reads 0', () => {
    const f = startVirtioMem({ size: '2G', items: [{ kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props: [] }] });
    assert.equal(queueSel(f.machine, '/machine/peripheral/b0/virtio-backend'), 0);
    attachLinuxGuest(f.machine, { kernel: '6.1' }).settle();
    assert.equal(queueSel(f.machine, '/machine/peripheral/b0/virtio-backend'), 2);
    assert.equal(queueSel(f.machine, `${f.proxy.path()}/virtio-backend`), 0);
  });
});

describe('guest/linux-guest: ejecting devices (acpiphp)', () => {
  it('removes the balloon driver and ejects the slot; virtio-mem with nothing plugged goes too; a DIMM waits', () => {
    const f = startVirtioMem({
      size: '2G',
      machine: 'pc',
      release: '10.0',
      memory: '1G,slots=1,maxmem=16G',
      items: [
        { kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props: [] },
        { kind: 'object', type: 'memory-backend-ram', id: 'mem1', props: [{ name: 'size', value: '1G' }] },
        { kind: 'device', driver: 'pc-dimm', id: 'd0', props: [{ name: 'memdev', value: 'mem1' }] },
      ],
    });
    const guest = attachLinuxGuest(f.machine, { kernel: '6.1' });
    guest.settle();
    assert.ok(guest.balloon);
    for (const id of ['b0', 'vm0', 'd0']) f.machine.deleteDevice(id);
    guest.settle();
    assert.equal(guest.balloon, undefined, 'virtballoon_remove ran');
    assert.equal(f.machine.model.resolvePath('b0'), undefined);
    assert.equal(f.machine.model.resolvePath('vm0'), undefined);
    assert.deepEqual(guest.drivers(), []);
    assert.equal(f.machine.ejectRequested(f.machine.model.resolvePath('d0')!), true, 'ACPI memory hot-unplug is not modelled: the DIMM waits');
  });
});
