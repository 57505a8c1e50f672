import assert from 'node:assert/strict';
import { GuestVm, MovablePort } from '../../src/guest/guest-vm.js';
import { startVirtioMem } from '../devices/virtio-mem/helpers.js';

/** A device with one subscribe method and one plain one. */
class Device {
  readonly listeners = new Set<() => void>();
  constructor(readonly name: string) {}
  id(): string {
    return this.name;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(): void {
    for (const l of this.listeners) l();
  }
}

describe('guest/guest-vm: the VM a guest runs in, moved by a migration', () => {
  it('a movable port calls the device it has now, and moves its listeners there', () => {
    const [a, b] = [new Device('a'), new Device('b')];
    const movable = new MovablePort(a, ['onChange']);
    const heard: string[] = [];
    const kept = movable.port.onChange(() => heard.push('kept'));
    const dropped = movable.port.onChange(() => heard.push('dropped'));
    dropped();
    assert.equal(movable.port.id(), 'a');
    movable.moveTo(b);
    assert.equal(movable.port.id(), 'b');
    a.fire();
    b.fire();
    assert.deepEqual(heard, ['kept']);
    assert.equal(a.listeners.size, 0, 'nothing stays subscribed on the device left behind');
    kept();
    assert.equal(b.listeners.size, 0, 'an unsubscribe after the move reaches the new device');
  });

  it('work still due runs on the new machine at its time, in order, and never on the old one', () => {
    const [from, to] = [startVirtioMem().machine, startVirtioMem().machine];
    to.scheduler.clock.advance(5);
    const vm = new GuestVm(from);
    const ran: string[] = [];
    vm.timeline.after(20, () => ran.push(`late on ${vm.machine === to ? 'to' : 'from'} at ${vm.timeline.now()}`));
    vm.timeline.after(10, () => ran.push(`early at ${vm.timeline.now()}`));
    vm.timeline.after(1, () => ran.push(`overdue at ${vm.timeline.now()}`));
    vm.moveTo(to);
    from.scheduler.runUntilIdle();
    assert.deepEqual(ran, []);
    to.scheduler.runUntilIdle();
    assert.deepEqual(ran, ['overdue at 5', 'early at 10', 'late on to at 20']);
  });
});
