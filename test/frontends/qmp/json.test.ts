import assert from 'node:assert/strict';
import { doubleFormat, formatDouble, qmpJson } from '../../../src/frontends/qmp/json.js';
import { release } from '../../../src/core/release.js';

describe('frontends/qmp/json: the writer', () => {
  // What real QEMU 5.2 (%f, zeros cut) and 7.2/10.0 (%.17g) echoed for these doubles in an id.
  const DOUBLES: ReadonlyArray<readonly [number, string, string]> = [
    [2500, '2500', '2500'],
    [0.1, '0.1', '0.10000000000000001'],
    [1e-7, '0', '9.9999999999999995e-08'],
    [2 ** 64, '18446744073709551616', '1.8446744073709552e+19'],
    [-(2 ** 63), '-9223372036854775808', '-9.2233720368547758e+18'],
    [Infinity, 'inf', 'inf'],
    [-Infinity, '-inf', '-inf'],
  ];
  for (const [x, fixed, g17] of DOUBLES) {
    it(`prints ${x} as ${fixed} before 6.0 and ${g17} from 6.0`, () => {
      assert.equal(formatDouble(x, doubleFormat(release('5.2'))), fixed);
      assert.equal(formatDouble(x, doubleFormat(release('6.0'))), g17);
    });
  }

  it('escapes every character outside printable ASCII as QEMU does', () => {
    assert.equal(qmpJson('é😀\u007f\t/"\\\u0001'), '"\\u00E9\\uD83D\\uDE00\\u007F\\t/\\"\\\\\\u0001"');
  });
});
