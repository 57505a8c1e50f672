import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { parseBool, parseEnum, parseInt64, parseUint64 } from '../../../src/core/parse/scalars.js';

describe('core/parse/scalars', () => {
  const BOOL: ReadonlyArray<readonly [string, boolean | 'EINVAL', boolean | 'EINVAL']> = [
    // input, 7.2 verdict, 5.1 verdict (y/n arrived in 5.2)
    ['on', true, true],
    ['yes', true, true],
    ['true', true, true],
    ['y', true, 'EINVAL'],
    ['off', false, false],
    ['no', false, false],
    ['false', false, false],
    ['n', false, 'EINVAL'],
    ['ON', 'EINVAL', 'EINVAL'],
    ['True', 'EINVAL', 'EINVAL'],
    ['1', 'EINVAL', 'EINVAL'],
    ['0', 'EINVAL', 'EINVAL'],
    ['', 'EINVAL', 'EINVAL'],
  ];
  for (const [input, now, old] of BOOL) {
    it(`bool ${JSON.stringify(input)}: 7.2 ${String(now)}, 5.1 ${String(old)}`, () => {
      const at = (r: string) => {
        const parsed = parseBool(input, release(r));
        return parsed.ok ? parsed.value : parsed.errno;
      };
      assert.equal(at('7.2'), now);
      assert.equal(at('5.1'), old);
    });
  }

  const ENUM: ReadonlyArray<readonly [string, boolean]> = [
    ['auto', true],
    ['on', true],
    ['off', true],
    ['ON', false],
    ['Auto', false],
    ['maybe', false],
  ];
  for (const [input, accepted] of ENUM) {
    it(`OnOffAuto ${JSON.stringify(input)} is ${accepted ? 'accepted' : 'rejected'} (case-sensitive strcmp)`, () => {
      assert.equal(parseEnum(input, ['auto', 'on', 'off']).ok, accepted);
    });
  }

  const UINT64: ReadonlyArray<readonly [string, bigint | 'EINVAL' | 'ERANGE']> = [
    ['0', 0n],
    ['42', 42n],
    ['0x2a', 42n],
    ['052', 42n],
    ['08', 'EINVAL'],
    ['-1', (1n << 64n) - 1n],
    ['18446744073709551615', (1n << 64n) - 1n],
    ['18446744073709551616', 'ERANGE'],
    ['1k', 'EINVAL'],
    ['', 'EINVAL'],
    ['abc', 'EINVAL'],
  ];
  for (const [input, expected] of UINT64) {
    it(`uint64 ${JSON.stringify(input)} gives ${String(expected)}`, () => {
      const parsed = parseUint64(input);
      assert.equal(parsed.ok ? parsed.value : parsed.errno, expected);
    });
  }

  it('int64 keeps the sign and checks the range', () => {
    const values = ['-5', '9223372036854775807', '9223372036854775808'].map((t) => {
      const p = parseInt64(t);
      return p.ok ? p.value : p.errno;
    });
    assert.deepEqual(values, [-5n, (1n << 63n) - 1n, 'ERANGE']);
  });
});
