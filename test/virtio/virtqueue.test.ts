import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHotmemError } from '../../src/core/errors.js';
import { iovFromBuf, iovSize, iovToBuf, pushResponse } from '../../src/virtio/virtqueue.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const from = (...parts: string[]) => parts.map((p) => Uint8Array.from(Buffer.from(p, 'hex')));

/** Splits `bytes` at the given cut points (sorted, within range) into consecutive buffers. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.slice(points[i], end));
}

describe('virtio/virtqueue', () => {
  it('iovSize sums the buffers', () => {
    assert.equal(iovSize(from('0102', '', '030405')), 5);
    assert.equal(iovSize([]), 0);
  });

  describe('iovToBuf (iov_to_buf)', () => {
    const iov = from('0102', '', '030405', '06');
    const cases: [string, number, number, string][] = [
      ['gathers across buffers, skipping empty ones', 0, 6, '010203040506'],
      ['stops at the requested count', 0, 3, '010203'],
      ['starts at an offset inside a later buffer', 3, 2, '0405'],
      ['reads short when the buffers end first', 4, 10, '0506'],
      ['reads nothing at the very end', 6, 4, ''],
    ];
    for (const [name, offset, bytes, expected] of cases) {
      it(name, () => assert.equal(hex(iovToBuf(iov, offset, bytes)), expected));
    }
    it('an offset past the end is a device-model bug (QEMU asserts)', () => {
      assert.throws(
        () => iovToBuf(iov, 7, 1),
        (e) => isHotmemError(e, 'virtio.iov-offset-beyond-end'),
      );
    });
    it('returns a copy', () => {
      const out = iovToBuf(iov, 0, 2);
      out[0] = 0xff;
      assert.equal(iov[0]?.[0], 0x01);
    });
  });

  describe('iovFromBuf (iov_from_buf)', () => {
    it('scatters across buffers and leaves the originals untouched', () => {
      const iov = from('aaaa', 'bbbbbb');
      const w = iovFromBuf(iov, 1, Uint8Array.of(1, 2, 3));
      assert.equal(w.written, 3);
      assert.deepEqual(w.in.map(hex), ['aa01', '0203bb']);
      assert.deepEqual(iov.map(hex), ['aaaa', 'bbbbbb']);
    });
    it('writes short when the buffers are too small', () => {
      const w = iovFromBuf(from('0000', '00'), 0, Uint8Array.of(1, 2, 3, 4, 5));
      assert.equal(w.written, 3);
      assert.deepEqual(w.in.map(hex), ['0102', '03']);
    });
    it('an offset past the end is a device-model bug', () => {
      assert.throws(
        () => iovFromBuf(from('00'), 2, Uint8Array.of(1)),
        (e) => isHotmemError(e, 'virtio.iov-offset-beyond-end'),
      );
    });
  });

  describe('pushResponse', () => {
    it('writes the response and claims its full length', () => {
      const c = pushResponse({ out: [], in: from('ffffffff') }, Uint8Array.of(1, 2));
      assert.deepEqual(c.kind === 'used' && [c.len, c.in.map(hex)], [2, ['0102ffff']]);
    });
    it('claims the full length even when the buffers took less (as QEMU does)', () => {
      const c = pushResponse({ out: [], in: from('00') }, Uint8Array.of(1, 2, 3));
      assert.deepEqual(c.kind === 'used' && [c.len, c.in.map(hex)], [3, ['01']]);
    });
  });

  it('gathering a split buffer gives back the bytes, however it is split', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 64 })
          .chain((b) => fc.tuple(fc.constant(b), fc.array(fc.integer({ min: 0, max: b.length }), { maxLength: 6 }), fc.integer({ min: 0, max: b.length }))),
        fc.nat(80),
        ([bytes, cuts, offset], want) => {
          const got = iovToBuf(split(bytes, cuts), offset, want);
          assert.equal(hex(got), hex(bytes.slice(offset, offset + want)));
        },
      ),
    );
  });

  it('scattering then gathering gives back what fitted', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(8), { maxLength: 6 }), fc.uint8Array({ maxLength: 40 }), (capacities, data) => {
        const iov = capacities.map((n) => new Uint8Array(n));
        const w = iovFromBuf(iov, 0, data);
        assert.equal(w.written, Math.min(data.length, iovSize(iov)));
        assert.equal(hex(iovToBuf(w.in, 0, w.written)), hex(data.slice(0, w.written)));
        assert.deepEqual(
          w.in.map((b) => b.length),
          capacities,
        );
      }),
    );
  });
});
