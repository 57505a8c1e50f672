import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHotmemError } from '../../src/core/errors.js';
import { FeatureSet, featureBit, featureNames, type FeatureBit } from '../../src/virtio/feature-set.js';

const anyBit = fc.integer({ min: 0, max: 63 }).map(featureBit);
const anySet = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((w) => FeatureSet.fromWord(w));

describe('virtio/feature-set', () => {
  describe('featureBit', () => {
    for (const bad of [-1, 64, 1.5, Number.NaN]) {
      it(`rejects ${bad}`, () => {
        assert.throws(
          () => featureBit(bad),
          (e) => isHotmemError(e, 'virtio.feature-bit-out-of-range'),
        );
      });
    }
  });

  describe('bits above 31, where JavaScript number bit operations wrap', () => {
    const cases: [number, bigint][] = [
      [0, 0x1n],
      [31, 0x8000_0000n],
      [32, 0x1_0000_0000n],
      [40, 0x100_0000_0000n],
      [63, 0x8000_0000_0000_0000n],
    ];
    for (const [bit, word] of cases) {
      it(`bit ${bit} is word ${word.toString(16)}`, () => {
        const set = FeatureSet.of(featureBit(bit));
        assert.equal(set.word, word);
        assert.ok(set.has(featureBit(bit)));
        assert.deepEqual(set.bits(), [bit]);
      });
    }
    it('bit 32 is not bit 0', () => {
      const set = FeatureSet.of(featureBit(32));
      assert.equal(set.has(featureBit(0)), false);
    });
  });

  describe('fromWord', () => {
    for (const bad of [-1n, 1n << 64n]) {
      it(`rejects ${bad}`, () => {
        assert.throws(
          () => FeatureSet.fromWord(bad),
          (e) => isHotmemError(e, 'virtio.feature-word-out-of-range'),
        );
      });
    }
  });

  it('set operations on a known pair', () => {
    const a = FeatureSet.fromWord(0b1100n);
    const b = FeatureSet.fromWord(0b1010n);
    assert.equal(a.union(b).word, 0b1110n);
    assert.equal(a.intersection(b).word, 0b1000n);
    assert.equal(a.minus(b).word, 0b0100n);
    assert.equal(a.with(featureBit(0)).word, 0b1101n);
    assert.equal(a.without(featureBit(3)).word, 0b0100n);
    assert.equal(a.isSubsetOf(b), false);
    assert.equal(a.intersection(b).isSubsetOf(b), true);
    assert.equal(FeatureSet.EMPTY.isEmpty(), true);
    assert.equal(a.toString(), '0xc');
  });

  it('is immutable', () => {
    const a = FeatureSet.of(featureBit(1));
    a.with(featureBit(2));
    assert.equal(a.word, 0b10n);
    assert.ok(Object.isFrozen(a));
  });

  it('bits() lists exactly the set bits, ascending, and rebuilds the set', () => {
    fc.assert(
      fc.property(anySet, (set) => {
        const bits = set.bits();
        assert.deepEqual(
          [...bits].sort((x, y) => x - y),
          bits,
        );
        assert.ok(FeatureSet.of(...bits).equals(set));
      }),
    );
  });

  it('with/without/has agree', () => {
    fc.assert(
      fc.property(anySet, anyBit, (set, bit) => {
        assert.equal(set.with(bit).has(bit), true);
        assert.equal(set.without(bit).has(bit), false);
        assert.ok(set.without(bit).isSubsetOf(set));
        assert.ok(set.isSubsetOf(set.with(bit)));
      }),
    );
  });

  it('union, intersection and minus partition a pair', () => {
    fc.assert(
      fc.property(anySet, anySet, (a, b) => {
        assert.ok(a.minus(b).union(a.intersection(b)).equals(a));
        assert.ok(a.minus(b).intersection(b).isEmpty());
        assert.ok(a.intersection(b).isSubsetOf(a.union(b)));
      }),
    );
  });

  describe('featureNames', () => {
    const tableA = [{ bit: featureBit(0), name: 'A0' }];
    const tableB = [{ bit: featureBit(32), name: 'B32' }];
    it('looks each bit up in the tables and shows unnamed bits by number', () => {
      const set = FeatureSet.of(featureBit(32), featureBit(0), featureBit(5));
      assert.deepEqual(featureNames(set, tableA, tableB), ['A0', 'bit 5', 'B32']);
    });
    it('the first table naming a bit wins', () => {
      const set = FeatureSet.of(featureBit(0));
      assert.deepEqual(featureNames(set, [{ bit: 0 as FeatureBit, name: 'first' }], tableA), ['first']);
    });
  });
});
