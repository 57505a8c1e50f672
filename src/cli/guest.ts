/** Attaching a modelled Linux guest to a started machine, with the device ports it binds to. */
import { LinuxGuest, type LinuxGuestOptions } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import { VIRTIO_MEM_RUNTIME } from '../../devices/virtio-mem/index.js';

export function attachLinuxGuest(machine: Machine, options: LinuxGuestOptions): LinuxGuest {
  return new LinuxGuest(machine, options, (device) => device.child('virtio-backend')?.slots.get(VIRTIO_MEM_RUNTIME));
}
