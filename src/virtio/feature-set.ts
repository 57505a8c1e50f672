/**
 * 64-bit virtio feature words. QEMU keeps host and guest features in a uint64_t (7.2:
 * include/hw/virtio/virtio.h), and the interesting bits start at VIRTIO_F_VERSION_1 = 32, where
 * JavaScript's 32-bit bitwise operators silently wrap (`1 << 32 === 1`). So words are bigint and
 * bits are checked to lie in 0..63.
 */
import { hex } from '../core/units.js';
import { virtioErrors } from './errors.js';

declare const featureBitBrand: unique symbol;
/** A feature bit number in 0..63, made only by `featureBit()`. */
export type FeatureBit = number & { readonly [featureBitBrand]: true };

/** Width of QEMU's feature words; the spec reserves bits up to 127, QEMU 7.2 stores 64. */
export const FEATURE_WORD_BITS = 64;
const WORD_LIMIT = 1n << BigInt(FEATURE_WORD_BITS);

/** Checks a bit number; throws for anything outside 0..63 (a model bug, not a guest one). */
export function featureBit(n: number): FeatureBit {
  if (!Number.isInteger(n) || n < 0 || n >= FEATURE_WORD_BITS) {
    throw virtioErrors.error('virtio.feature-bit-out-of-range', { bit: n });
  }
  return n as FeatureBit;
}

/** A feature bit with the name the spec and QEMU's headers give it. */
export interface FeatureDef {
  readonly bit: FeatureBit;
  readonly name: string;
}

/** A table of named bits, e.g. the transport bits or one device type's bits. */
export type FeatureNames = readonly FeatureDef[];

const mask = (bit: FeatureBit): bigint => 1n << BigInt(bit);

/** An immutable set of feature bits, stored as the 64-bit word the registers carry. */
export class FeatureSet {
  static readonly EMPTY = new FeatureSet(0n);

  private constructor(readonly word: bigint) {
    Object.freeze(this);
  }

  static of(...bits: readonly FeatureBit[]): FeatureSet {
    return FeatureSet.EMPTY.with(...bits);
  }

  static fromWord(word: bigint): FeatureSet {
    if (word < 0n || word >= WORD_LIMIT) {
      throw virtioErrors.error('virtio.feature-word-out-of-range', { word });
    }
    return new FeatureSet(word);
  }

  has(bit: FeatureBit): boolean {
    return (this.word & mask(bit)) !== 0n;
  }

  with(...bits: readonly FeatureBit[]): FeatureSet {
    return new FeatureSet(bits.reduce((w, b) => w | mask(featureBit(b)), this.word));
  }

  without(...bits: readonly FeatureBit[]): FeatureSet {
    return new FeatureSet(bits.reduce((w, b) => w & ~mask(featureBit(b)), this.word));
  }

  union(other: FeatureSet): FeatureSet {
    return new FeatureSet(this.word | other.word);
  }

  intersection(other: FeatureSet): FeatureSet {
    return new FeatureSet(this.word & other.word);
  }

  /** The bits of this set that `other` lacks. */
  minus(other: FeatureSet): FeatureSet {
    return new FeatureSet(this.word & ~other.word);
  }

  isSubsetOf(other: FeatureSet): boolean {
    return this.minus(other).isEmpty();
  }

  isEmpty(): boolean {
    return this.word === 0n;
  }

  equals(other: FeatureSet): boolean {
    return this.word === other.word;
  }

  /** The set bits in ascending order. */
  bits(): FeatureBit[] {
    const out: FeatureBit[] = [];
    for (let b = 0; b < FEATURE_WORD_BITS; b++) {
      if ((this.word >> BigInt(b)) & 1n) out.push(b as FeatureBit);
    }
    return out;
  }

  /** The word as QEMU prints feature words: lower-case hex with 0x. */
  toString(): string {
    return hex(this.word);
  }
}

/**
 * Display names of a set's bits in ascending bit order, looked up in the given tables; a bit no
 * table names shows as `bit N` so nothing offered is ever hidden from a report.
 */
export function featureNames(set: FeatureSet, ...tables: readonly FeatureNames[]): string[] {
  return set.bits().map((bit) => {
    for (const table of tables) {
      const def = table.find((d) => d.bit === bit);
      if (def !== undefined) return def.name;
    }
    return `bit ${bit}`;
  });
}
