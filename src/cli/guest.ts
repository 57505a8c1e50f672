/** Attaching a modelled Linux guest to a started machine, with the device ports it binds to. */
import { LinuxGuest, type LinuxGuestOptions } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import { VIRTIO_MEM_RUNTIME } from '../../devices/virtio-mem/index.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../devices/virtio-balloon/index.js';
import { linuxBalloonGuest } from '../guest/balloon/guest.js';
import { bootFootprint } from '../guest/linux/boot-footprint.js';
import { MovablePort } from '../guest/guest-vm.js';
import type { BalloonDriverPort } from '../../devices/virtio-balloon/port.js';
import type { QomObject } from '../qom/object.js';

export function attachLinuxGuest(machine: Machine, options: LinuxGuestOptions): LinuxGuest {
  const guest = new LinuxGuest(machine, options, (device) => device.child('virtio-backend')?.slots.get(VIRTIO_MEM_RUNTIME));
  const balloon = balloonOf(machine);
  const runtime = balloon?.slots.get(VIRTIO_BALLOON_RUNTIME);
  if (balloon && runtime) {
    const port = new MovablePort<BalloonDriverPort>(runtime, ['onConfigChange', 'onUsed']);
    guest.vm.onMove((there) => {
      const moved = balloonOf(there)?.slots.get(VIRTIO_BALLOON_RUNTIME);
      if (!moved) throw new Error('the VM moved to a machine without its balloon');
      port.moveTo(moved);
    });
    guest.balloon = linuxBalloonGuest(
      machine,
      port.port,
      { kernel: guest.kernel, initOnAlloc: options.initOnAlloc ?? true, initOnFree: options.initOnFree ?? false, pagePoisoning: false },
      guest.pages,
      guest.vm.timeline,
      guest.allocator,
    );
    // What boot wrote stays resident; it matters once a balloon can give it back, so only then is
    // it written (a guest that only reads costs no RSS, as before).
    const memory = guest.pages.options.memory;
    const { start, length } = guest.bootMemmap;
    memory.write(start, length, 1);
    const footprint = bootFootprint(guest.kernel, machine.arch, guest.ram.bootRam(), start);
    for (const r of [...footprint.written, ...footprint.hot]) memory.write(r.start, r.length, 1);
    for (const r of footprint.hot) guest.pages.giveBackPages({ gpa: r.start, length: r.length });
    guest.balloon.driver.probe();
    const { driver } = guest.balloon;
    // device_del names the proxy (virtio-balloon-pci); the guest's driver is bound to its backend.
    guest.bindDriver(balloon.parent!, () => {
      driver.remove();
      guest.balloon = undefined;
    });
  }
  return guest;
}

/** The machine's balloon device (QEMU allows one). */
function balloonOf(machine: Machine): QomObject | undefined {
  return machine.model.objectsOfType('virtio-balloon-device').find((d) => d.realized);
}
