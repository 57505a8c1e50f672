import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHotmemError } from '../../src/core/errors.js';
import { fitsSafeNumber, readLe16, readLe32, readLe64, toSafeNumber, writeLe16, writeLe32, writeLe64 } from '../../src/virtio/le.js';

const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

describe('virtio/le', () => {
  describe('byte order', () => {
    const bytes = hexBytes('00 01 02 03 04 05 06 07 08 09');
    const reads: [string, () => number | bigint, number | bigint][] = [
      ['le16 @0', () => readLe16(bytes, 0), 0x0100],
      ['le16 @1 (unaligned)', () => readLe16(bytes, 1), 0x0201],
      ['le32 @2', () => readLe32(bytes, 2), 0x05040302],
      ['le64 @2', () => readLe64(bytes, 2), 0x0908070605040302n],
    ];
    for (const [name, read, expected] of reads) {
      it(`reads ${name}`, () => assert.equal(read(), expected));
    }

    it('writes the low byte first, leaving the rest alone', () => {
      const b = new Uint8Array(12).fill(0xee);
      writeLe16(b, 0, 0xbeef);
      writeLe32(b, 2, 0xdeadbeef);
      writeLe64(b, 4, 0x0123456789abcdefn);
      assert.equal(Buffer.from(b).toString('hex'), 'efbeefbeefcdab8967452301');
    });

    it('reads through a subarray at its own offset', () => {
      const sub = bytes.subarray(4);
      assert.equal(readLe16(sub, 0), 0x0504);
    });
  });

  describe('refuses accesses that do not fit', () => {
    const b = new Uint8Array(8);
    const cases: [string, () => unknown][] = [
      ['le16 at the last byte', () => readLe16(b, 7)],
      ['le32 at 5', () => readLe32(b, 5)],
      ['le64 at 1', () => readLe64(b, 1)],
      ['negative offset', () => readLe16(b, -1)],
      ['write past the end', () => writeLe64(b, 4, 0n)],
    ];
    for (const [name, f] of cases) {
      it(name, () => assert.throws(f, (e) => isHotmemError(e, 'virtio.le-out-of-bounds')));
    }
  });

  describe('refuses values that do not fit the field', () => {
    const b = new Uint8Array(8);
    const cases: [string, () => unknown][] = [
      ['le16 65536', () => writeLe16(b, 0, 0x10000)],
      ['le16 -1', () => writeLe16(b, 0, -1)],
      ['le32 2^32', () => writeLe32(b, 0, 2 ** 32)],
      ['le32 1.5', () => writeLe32(b, 0, 1.5)],
      ['le64 2^64', () => writeLe64(b, 0, 1n << 64n)],
      ['le64 -1', () => writeLe64(b, 0, -1n)],
    ];
    for (const [name, f] of cases) {
      it(name, () => assert.throws(f, (e) => isHotmemError(e, 'virtio.le-value-out-of-range')));
    }
  });

  it('round-trips every value of every width', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (v16, v32, v64) => {
          const b = new Uint8Array(14);
          writeLe16(b, 0, v16);
          writeLe32(b, 2, v32);
          writeLe64(b, 6, v64);
          assert.deepEqual([readLe16(b, 0), readLe32(b, 2), readLe64(b, 6)], [v16, v32, v64]);
        },
      ),
    );
  });

  describe('toSafeNumber', () => {
    it('converts up to 2^53 - 1', () => {
      assert.equal(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER), 'size'), Number.MAX_SAFE_INTEGER);
      assert.equal(fitsSafeNumber(0n), true);
    });
    it('refuses 2^53 with the value and what it is', () => {
      assert.equal(fitsSafeNumber(1n << 53n), false);
      assert.throws(
        () => toSafeNumber(1n << 53n, 'region size'),
        (e) => isHotmemError(e, 'virtio.u64-not-safe-integer') && /^region size 9007199254740992 /.test(e.message),
      );
    });
  });
});
