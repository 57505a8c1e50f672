import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VIRTIO_MEM_CONFIG_SIZE, decodeConfig, encodeConfig, type VirtioMemConfig } from '../../../devices/virtio-mem/config.js';
import { isHotmemError } from '../../../src/core/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Every field distinct, so a wrong offset cannot go unnoticed.
const SAMPLE: VirtioMemConfig = {
  blockSize: 0x0000_0000_0020_0000n,
  nodeId: 0x0102,
  addr: 0x0000_0001_4000_0000n,
  regionSize: 0x0000_0001_0000_0000n,
  usableRegionSize: 0x0000_0000_5000_0000n,
  pluggedSize: 0x0000_0000_0800_0000n,
  requestedSize: 0x0000_0000_4000_0000n,
};

describe('devices/virtio-mem/config', () => {
  it('is 56 bytes', () => {
    assert.equal(VIRTIO_MEM_CONFIG_SIZE, 56);
    assert.equal(encodeConfig(SAMPLE).length, 56);
  });

  describe('field offsets (struct virtio_mem_config)', () => {
    const bytes = encodeConfig(SAMPLE);
    const fields: [string, number, number, string][] = [
      ['block_size', 0, 8, '0000200000000000'],
      ['node_id', 8, 2, '0201'],
      ['padding', 10, 6, '000000000000'],
      ['addr', 16, 8, '0000004001000000'],
      ['region_size', 24, 8, '0000000001000000'],
      ['usable_region_size', 32, 8, '0000005000000000'],
      ['plugged_size', 40, 8, '0000000800000000'],
      ['requested_size', 48, 8, '0000004000000000'],
    ];
    for (const [name, offset, width, expected] of fields) {
      it(`${name} is ${width} bytes little endian at ${offset}`, () => {
        assert.equal(hex(bytes.subarray(offset, offset + width)), expected);
      });
    }
    it('the fields tile the struct', () => {
      assert.equal(
        fields.reduce((n, [, , w]) => n + w, 0),
        VIRTIO_MEM_CONFIG_SIZE,
      );
    });
  });

  it('decoding ignores the padding', () => {
    const bytes = encodeConfig(SAMPLE);
    bytes.fill(0xff, 10, 16);
    assert.deepEqual(decodeConfig(bytes), SAMPLE);
  });

  it('decoding a short buffer is a caller bug', () => {
    assert.throws(
      () => decodeConfig(new Uint8Array(55)),
      (e) => isHotmemError(e, 'virtio.le-out-of-bounds'),
    );
  });

  it('encoding refuses values the fields cannot hold', () => {
    const outOfRange = (e: unknown) => isHotmemError(e, 'virtio.le-value-out-of-range');
    assert.throws(() => encodeConfig({ ...SAMPLE, nodeId: 0x10000 }), outOfRange);
    assert.throws(() => encodeConfig({ ...SAMPLE, addr: 1n << 64n }), outOfRange);
  });

  it('encode then decode is the identity', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(
        fc.record(
          {
            blockSize: u64,
            nodeId: fc.integer({ min: 0, max: 0xffff }),
            addr: u64,
            regionSize: u64,
            usableRegionSize: u64,
            pluggedSize: u64,
            requestedSize: u64,
          },
          { noNullPrototype: true },
        ),
        (config) => assert.deepEqual(decodeConfig(encodeConfig(config)), config),
      ),
    );
  });

  it('decode then encode gives back the bytes with the padding zeroed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 56, maxLength: 56 }), (raw) => {
        const expected = Uint8Array.from(raw);
        expected.fill(0, 10, 16);
        assert.equal(hex(encodeConfig(decodeConfig(raw))), hex(expected));
      }),
    );
  });
});
