/**
 * Errors the virtio layer throws. Every one is a bug in the caller (a device model or a guest
 * driver model handing the core a value no register could hold), never a guest mistake: guest
 * mistakes are answers (refused status writes, protocol violations, a broken device).
 */
import { defineErrors } from '../core/errors.js';

export const virtioErrors = defineErrors({
  'virtio.feature-bit-out-of-range': (a: { bit: number }) => `virtio feature bit ${a.bit} is not an integer in 0..63`,
  'virtio.feature-word-out-of-range': (a: { word: bigint }) => `virtio feature word ${a.word} does not fit in 64 bits`,
  'virtio.status-not-a-byte': (a: { value: number }) => `virtio device status ${a.value} is not an integer in 0..255`,
  'virtio.le-out-of-bounds': (a: { offset: number; width: number; length: number }) =>
    `a ${a.width}-byte access at offset ${a.offset} does not fit in ${a.length} bytes`,
  'virtio.le-value-out-of-range': (a: { value: number | bigint; width: number }) => `${a.value} does not fit in an unsigned ${a.width * 8}-bit field`,
  'virtio.u64-not-safe-integer': (a: { what: string; value: bigint }) => `${a.what} ${a.value} is above 2^53 and cannot be a byte count or address here`,
  'virtio.iov-offset-beyond-end': (a: { offset: number; size: number }) => `offset ${a.offset} is beyond the ${a.size} bytes of the scatter-gather list`,
});
