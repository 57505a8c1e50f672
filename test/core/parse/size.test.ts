import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { parseSize, sizeDialect, type SizeParse } from '../../../src/core/parse/size.js';

const K = 1024n;
const M = K * K;
const G = M * K;
const E = 1n << 60n;

type Expect = bigint | 'EINVAL' | 'ERANGE' | { value: bigint; deprecatedHexSuffix: true };

// Each row: input, then the verdict of a 7.2 build, an 8.0 build and an 8.1 build.
const TABLE: ReadonlyArray<readonly [string, Expect, Expect, Expect]> = [
  ['0', 0n, 0n, 0n],
  ['1', 1n, 1n, 1n],
  ['1B', 1n, 1n, 1n],
  ['1b', 1n, 1n, 1n],
  ['1k', K, K, K],
  ['1K', K, K, K],
  ['2M', 2n * M, 2n * M, 2n * M],
  ['2m', 2n * M, 2n * M, 2n * M],
  ['4G', 4n * G, 4n * G, 4n * G],
  ['1T', 1n << 40n, 1n << 40n, 1n << 40n],
  ['1P', 1n << 50n, 1n << 50n, 1n << 50n],
  ['15E', 15n * E, 15n * E, 15n * E],
  ['16E', 'ERANGE', 'ERANGE', 'ERANGE'],
  ['17E', 'ERANGE', 'ERANGE', 'ERANGE'],
  ['18446744073709551615', (1n << 64n) - 1n, (1n << 64n) - 1n, (1n << 64n) - 1n],
  ['18446744073709551616', 'ERANGE', 'ERANGE', 'ERANGE'],
  ['1.5G', 1610612736n, 1610612736n, 1610612736n],
  ['1.5k', 1536n, 1536n, 1536n],
  ['1.5', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1.5B', 'EINVAL', 'EINVAL', 'EINVAL'],
  // Half a byte rounds up: 2^-11 KiB is exactly 0.5 byte.
  ['0.00048828125K', 1n, 1n, 1n],
  ['0.0009765625K', 1n, 1n, 1n],
  ['.5M', 'EINVAL', 'EINVAL', 512n * K],
  ['1.M', M, M, M],
  ['1.', 1n, 1n, 1n],
  ['0x10', 16n, 16n, 16n],
  ['0X1f', 31n, 31n, 31n],
  ['0x1M', { value: M, deprecatedHexSuffix: true }, 'EINVAL', 'EINVAL'],
  ['0x1.5', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['08', 8n, 8n, 8n],
  ['-1', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['-0', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1e3', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1.5e3K', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1KiB', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1MB', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['inf', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['nan', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['0b101', 'EINVAL', 'EINVAL', 'EINVAL'],
  ['1 G', 'EINVAL', 'EINVAL', 'EINVAL'],
  [' 1G', G, G, G],
  ['+1G', G, G, G],
  ['1X', 'EINVAL', 'EINVAL', 'EINVAL'],
];

function verdict(result: SizeParse): Expect {
  if (!result.ok) return result.errno;
  return result.deprecatedHexSuffix ? { value: result.value, deprecatedHexSuffix: true } : result.value;
}

describe('core/parse/size: qemu_strtosz', () => {
  const releases = ['7.2', '8.0', '8.1'] as const;
  for (const [input, ...expected] of TABLE) {
    releases.forEach((name, i) => {
      it(`${JSON.stringify(input)} on ${name} gives ${String(typeof expected[i] === 'object' ? 'a deprecated hex value' : expected[i])}`, () => {
        assert.deepEqual(verdict(parseSize(input, sizeDialect(release(name)))), expected[i]);
      });
    });
  }

  it('takes hex suffixes silently before 6.0', () => {
    assert.deepEqual(verdict(parseSize('0x1M', sizeDialect(release('5.2')))), M);
  });

  it('uses MiB as the default unit for -m (qemu_strtosz_MiB)', () => {
    assert.deepEqual(verdict(parseSize('512', sizeDialect(release('7.2')), 'M')), 512n * M);
    assert.deepEqual(verdict(parseSize('1G', sizeDialect(release('7.2')), 'M')), G);
  });
});
