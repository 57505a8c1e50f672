/**
 * Sizes in definitions: bytes, QEMU's notation and libvirt's units, the one rule that tells them
 * apart, and property values as the text QEMU receives.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSize, sizeDialect } from '../../../src/core/parse/size.js';
import { release } from '../../../src/core/release.js';
import { bytes, GiB, KiB, MiB, TiB } from '../../../src/core/units.js';
import { definitionSize, expectedText, libvirtSize, propertyText, qemuSizeText } from '../../../src/frontends/yaml/sizes.js';

const at = (r: string) => ({ dialect: sizeDialect(release(r)), name: r });
const V72 = at('7.2');
const size = (value: number | string, r = V72) => definitionSize(value, r.dialect, r.name);

describe('frontends/yaml: sizes', () => {
  const VALID: ReadonlyArray<readonly [number | string, number, string]> = [
    [0, 0, 'a number is bytes'],
    [4096, 4096, 'a number is bytes, even where -m would read MiB'],
    ['4096', 4096, 'a bare number in text is bytes too'],
    ['1G', GiB, 'QEMU: G is 2^30'],
    ['1g', GiB, 'QEMU: suffixes in either case'],
    ['512M', 512 * MiB, 'QEMU'],
    ['1.5G', 1.5 * GiB, 'QEMU: fractions'],
    ['1k', KiB, 'QEMU: k'],
    ['1b', 1, 'QEMU: b is bytes'],
    ['0x1000', 4096, 'QEMU: hex'],
    ['  2T ', 2 * TiB, 'surrounding spaces are ignored'],
    ['4 GiB', 4 * GiB, 'libvirt: GiB with a space'],
    ['4GiB', 4 * GiB, 'libvirt: GiB without a space'],
    ['512MiB', 512 * MiB, 'libvirt: MiB'],
    ['2 TiB', 2 * TiB, 'libvirt: TiB'],
    ['1KB', 1000, 'libvirt: KB is 10^3'],
    ['1 kb', 1000, 'libvirt: units are case-insensitive'],
    ['1 MB', 1_000_000, 'libvirt: MB is 10^6'],
    ['1GB', 1_000_000_000, 'libvirt: GB is 10^9'],
    ['1 k', KiB, 'libvirt: a lone letter is a power of 1024'],
    ['1 G', GiB, 'libvirt: a lone letter is a power of 1024'],
    ['1 b', 1, 'libvirt: b'],
    ['1byte', 1, 'libvirt: byte'],
    ['10 bytes', 10, 'libvirt: bytes'],
  ];
  for (const [input, expected, why] of VALID) {
    it(`${JSON.stringify(input)} is ${expected} bytes (${why})`, () => {
      assert.deepEqual(size(input), { ok: true, value: expected });
    });
  }

  it('the ambiguity rule: 1G, 1GiB and 1 G are 2^30, 1GB is 10^9', () => {
    const values = ['1G', '1GiB', '1 G', '1 GiB', '1GB'].map((t) => size(t));
    assert.deepEqual(
      values,
      [GiB, GiB, GiB, GiB, 1e9].map((value) => ({ ok: true, value })),
    );
  });

  const INVALID: ReadonlyArray<readonly [string, string, string]> = [
    ['1.5 GiB', '7.2', 'is not a whole number: libvirt units take whole numbers; use a smaller unit, or QEMU notation such as 1.5G'],
    ['1.5GB', '7.2', 'is not a whole number: libvirt units take whole numbers; use a smaller unit, or QEMU notation such as 1.5G'],
    ['1.5', '7.2', 'is not a size QEMU 7.2 accepts'],
    ['0x1M', '8.0', 'is not a size QEMU 8.0 accepts'],
    ['.5M', '8.0', 'is not a size QEMU 8.0 accepts'],
    ['16E', '7.2', 'is too large: QEMU sizes stay below 2^64'],
    ['8E', '7.2', "is beyond 2^53 bytes, outside hotmem's range"],
    ['9 EB', '7.2', "is beyond 2^53 bytes, outside hotmem's range"],
    ['0x10 MiB', '7.2', 'is not a size QEMU 7.2 accepts'],
  ];
  for (const [input, r, reason] of INVALID) {
    it(`${JSON.stringify(input)} on ${r}: ${reason}`, () => {
      assert.deepEqual(size(input, at(r)), { ok: false, reason });
    });
  }

  it("QEMU notation follows the release's parser: 0x1M before 8.0, .5M from 8.1", () => {
    assert.deepEqual(size('0x1M', at('7.2')), { ok: true, value: MiB });
    assert.deepEqual(size('.5M', at('8.1')), { ok: true, value: MiB / 2 });
  });

  it('libvirtSize leaves QEMU notation alone', () => {
    for (const text of ['1G', '1.5G', '1b', '0x1000', 'auto', '1X']) assert.equal(libvirtSize(text), undefined, text);
  });

  it('libvirt notation equals QEMU notation for every lone-letter unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), fc.constantFrom('K', 'M', 'G', 'T'), (n, unit) => {
        const viaQemu = size(`${n}${unit}`);
        assert.deepEqual(size(`${n} ${unit}`), viaQemu);
        assert.deepEqual(size(`${n}${unit}iB`), viaQemu);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  describe('property values', () => {
    const TEXT: ReadonlyArray<readonly [string | number | boolean, string]> = [
      [true, 'on'],
      [false, 'off'],
      [42, '42'],
      [-1, '-1'],
      ['1G', '1G'],
      ['0x1M', '0x1M'],
      ['4 GiB', '4294967296'],
      ['1GB', '1000000000'],
      ['auto', 'auto'],
      ['on', 'on'],
      ['/dev/hugepages', '/dev/hugepages'],
      ['0-1', '0-1'],
    ];
    for (const [input, text] of TEXT) {
      it(`${JSON.stringify(input)} reaches QEMU as '${text}'`, () => {
        assert.deepEqual(propertyText(input), { ok: true, value: text });
      });
    }

    it('a libvirt size that is not whole is refused, not passed on', () => {
      assert.equal(propertyText('1.5 GiB').ok, false);
    });

    it('expected values also convert QEMU sizes with a unit, which no QEMU parser will see', () => {
      const expected = (v: string | number | boolean) => expectedText(v, V72.dialect, V72.name);
      assert.deepEqual(expected('1G'), { ok: true, value: String(GiB) });
      assert.deepEqual(expected('8 GiB'), { ok: true, value: String(8 * GiB) });
      assert.deepEqual(expected('vm0'), { ok: true, value: 'vm0' });
      assert.deepEqual(expected(true), { ok: true, value: 'on' });
      assert.deepEqual(expected('1024'), { ok: true, value: '1024' });
      assert.equal(expected('16E').ok, false);
    });
  });

  describe('qemuSizeText', () => {
    const TEXT: ReadonlyArray<readonly [number, string]> = [
      [4 * GiB, '4G'],
      [1536 * MiB, '1536M'],
      [KiB, '1K'],
      [4097, '4097B'],
      [0, '0B'],
      [4 * 2 ** 50, '4P'],
    ];
    for (const [n, text] of TEXT) {
      it(`${n} is '${text}'`, () => assert.equal(qemuSizeText(bytes(n)), text));
    }

    it("reads back as the same bytes under -m's MiB default", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
          const parsed = parseSize(qemuSizeText(bytes(n)), V72.dialect, 'M');
          assert.deepEqual(parsed, { ok: true, value: BigInt(n), deprecatedHexSuffix: false });
        }),
        { numRuns: 300, seed: 11 },
      );
    });
  });
});
