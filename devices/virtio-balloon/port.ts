/**
 * What a balloon driver needs from its device beyond src/virtio's VirtioDriverPort, because the
 * balloon is the one device whose protocol the generic port cannot carry yet:
 *
 * - the driver writes config fields (`actual`, `poison_val`), which VirtioDriverPort cannot;
 * - the device keeps the stats buffer and gives it back only when its poll timer fires, so a
 *   submission can end `held` and its used entry arrive later, as a queue interrupt;
 * - the reporting and hinting queues hand the device guest pages, named by guest-physical address
 *   and length (QEMU's in_addr[] with in_sg[] lengths), not bytes to copy.
 */
import type { VirtioDriverPort } from '../../src/virtio/driver-port.js';
import type { ElementCompletion, VirtqueueElement } from '../../src/virtio/virtqueue.js';

/** One guest-physical range a descriptor points at. */
export interface GuestPagesRange {
  readonly gpa: number;
  readonly length: number;
}

/** A descriptor chain whose device-writable buffers are guest pages given by address. */
export interface GuestPagesElement extends VirtqueueElement {
  readonly inPages: readonly GuestPagesRange[];
}

export const hasGuestPages = (element: VirtqueueElement): element is GuestPagesElement => 'inPages' in element;

/** How a submission ended: used, detached, or kept by the device to be used later. */
export type BalloonCompletion = ElementCompletion | { readonly kind: 'held' };

export interface BalloonDriverPort extends Omit<VirtioDriverPort, 'submit'> {
  submit(queue: number, element: VirtqueueElement): BalloonCompletion;
  /** A config-space write of the driver (virtio_cwrite); ignored beyond the exposed size. */
  writeConfig(offset: number, bytes: Uint8Array): void;
  /** Used-buffer interrupts of `queue` for elements that ended `held`. Returns an unsubscribe function. */
  onUsed(queue: number, listener: () => void): () => void;
}
