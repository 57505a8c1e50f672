/** The virtqueue sizes each release runs, and which releases refuse a larger incoming ring. */
import { strict as assert } from 'node:assert';
import { release } from '../../src/core/release.js';
import { queueSizes, refusedRing } from '../../src/virtio/queue-sizes.js';

describe('virtio/queue-sizes', () => {
  const SIZES: readonly (readonly [string, readonly number[], readonly number[]])[] = [
    ['5.2', [128], [128]],
    ['7.2', [128, 128, 128, 1024, 32], [128, 128, 128, 1024, 32]],
    // 10.0.13: a0a7f7727c without 8d01337bba and 3fdafbc116 gives every queue VIRTQUEUE_MAX_SIZE.
    ['10.0', [128], [1024]],
    ['10.0', [128, 128, 128, 32], [1024, 1024, 1024, 1024]],
    ['10.1', [128], [128]],
    ['11.1', [128], [128]],
  ];
  for (const [r, requested, expected] of SIZES) {
    it(`${r}: a device asking for ${requested.join(', ')} runs with ${expected.join(', ')}`, () => {
      assert.deepEqual(queueSizes(release(r), requested), expected);
    });
  }

  const LOADS: readonly (readonly [string, readonly number[], readonly number[], ReturnType<typeof refusedRing>])[] = [
    ['11.1', [1024], [128], { index: 0, num: 1024, max: 128 }],
    ['11.1', [128, 1024, 128], [128, 128, 128], { index: 1, num: 1024, max: 128 }],
    ['11.1', [128], [128], undefined],
    ['11.1', [64], [128], undefined],
    // A ring the destination has no queue for has an allocation of 0.
    ['11.1', [128, 32], [128], { index: 1, num: 32, max: 0 }],
    ['11.0', [1024], [128], undefined],
    ['10.0', [1024], [128], undefined],
    ['7.2', [1024], [128], undefined],
  ];
  for (const [r, incoming, allocated, expected] of LOADS) {
    it(`${r} loading rings ${incoming.join(', ')} into ${allocated.join(', ')}: ${expected ? `refuses VQ ${expected.index}` : 'takes them'}`, () => {
      assert.deepEqual(refusedRing(release(r), incoming, allocated), expected);
    });
  }
});
