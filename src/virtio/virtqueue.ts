/**
 * Virtqueue elements as bytes. A popped element is a descriptor chain split into the buffers the
 * driver filled (device-readable, QEMU's out_sg) and the buffers the device may write (in_sg).
 * Reads and writes gather and scatter across buffers the way QEMU's util/iov.c does (7.2):
 * iov_to_buf and iov_from_buf copy what fits and return the count, so a chain that is too short
 * gives a short read or write rather than an error. Devices decide what a short count means;
 * virtio-mem calls it a protocol violation.
 */
import { virtioErrors } from './errors.js';

/** One descriptor chain as the device sees it after popping it. */
export interface VirtqueueElement {
  /** The driver-filled buffers, in chain order. */
  readonly out: readonly Uint8Array[];
  /** The device-writable buffers, in chain order; their lengths are their capacities. */
  readonly in: readonly Uint8Array[];
}

/** A scatter write's result: the in-buffers after the write and how many bytes landed. */
export interface IovWrite {
  readonly in: readonly Uint8Array[];
  readonly written: number;
}

/** What became of an element. */
export type ElementCompletion =
  /** Returned on the used ring with the length the device claims to have written. */
  | { readonly kind: 'used'; readonly len: number; readonly in: readonly Uint8Array[] }
  /** Dropped without a used entry (virtqueue_detach_element), as after a protocol violation. */
  | { readonly kind: 'detached' };

/** iov_size: the total length of a list of buffers. */
export function iovSize(iov: readonly Uint8Array[]): number {
  return iov.reduce((n, b) => n + b.length, 0);
}

/** QEMU asserts the offset lies inside the list; reaching past it is a device-model bug. */
function checkOffset(iov: readonly Uint8Array[], offset: number): number {
  const size = iovSize(iov);
  if (!Number.isInteger(offset) || offset < 0 || offset > size) {
    throw virtioErrors.error('virtio.iov-offset-beyond-end', { offset, size });
  }
  return size;
}

/** The byte range [offset, offset + length) across the buffers, one piece per buffer touched. */
function* pieces(iov: readonly Uint8Array[], offset: number, length: number) {
  let skip = offset;
  let done = 0;
  for (const buf of iov) {
    if (done === length) return;
    if (skip >= buf.length) {
      skip -= buf.length;
      continue;
    }
    const n = Math.min(buf.length - skip, length - done);
    yield { buf, start: skip, n, done };
    done += n;
    skip = 0;
  }
}

/** iov_to_buf: up to `bytes` bytes from `offset`; shorter when the buffers end first. */
export function iovToBuf(iov: readonly Uint8Array[], offset: number, bytes: number): Uint8Array {
  const size = checkOffset(iov, offset);
  const out = new Uint8Array(Math.min(bytes, size - offset));
  for (const p of pieces(iov, offset, out.length)) {
    out.set(p.buf.subarray(p.start, p.start + p.n), p.done);
  }
  return out;
}

/** iov_from_buf: writes what fits of `data` at `offset` into copies of the buffers. */
export function iovFromBuf(iov: readonly Uint8Array[], offset: number, data: Uint8Array): IovWrite {
  const size = checkOffset(iov, offset);
  const copies = iov.map((b) => b.slice());
  const length = Math.min(data.length, size - offset);
  for (const p of pieces(copies, offset, length)) {
    p.buf.set(data.subarray(p.done, p.done + p.n), p.start);
  }
  return { in: copies, written: length };
}

/**
 * Writes a response at the start of the in-buffers and pushes the element as used. Like QEMU's
 * devices (virtio-mem's virtqueue_push(vq, elem, sizeof(resp))) the used length is the
 * response size, not the count iov_from_buf managed to write.
 */
export function pushResponse(element: VirtqueueElement, response: Uint8Array): ElementCompletion {
  return { kind: 'used', len: response.length, in: iovFromBuf(element.in, 0, response).in };
}
