/**
 * The machine's one balloon handler (system/balloon.c qemu_add_balloon_handler): the `balloon`
 * and `query-balloon` commands reach the balloon through it, and a second balloon device cannot
 * register, which is why QEMU supports only one. Its home in QEMU is the machine layer; it lives
 * beside the only device that registers one.
 */
import { key } from '../../src/core/keys.js';
import type { QomObject } from '../../src/qom/object.js';

export interface BalloonHandler {
  /** The device (virtio-balloon-device) that registered. */
  readonly owner: QomObject;
  /** virtio_balloon_to_target: `target` is the logical VM size the guest should shrink or grow to. */
  toTarget(target: number): void;
  /** virtio_balloon_stat: the logical VM size, RAM minus what the balloon holds, in bytes. */
  actual(): number;
}

/** Kept in the object model's services: one per QEMU process. */
export const BALLOON_HANDLER = key<BalloonHandler>('balloon handler');
