import assert from 'node:assert/strict';
import { HotmemError } from '../../../src/core/errors.js';
import { parseScalar, type InputVisitor, type ScalarKind } from '../../../src/core/parse/input-visitor.js';
import { release } from '../../../src/core/release.js';
import { ON_OFF_AUTO } from '../../../src/qom/property.js';

const R72 = release('7.2');
const SIZE: ScalarKind = { kind: 'size' };

function message(kind: ScalarKind, name: string, text: string, visitor: InputVisitor): string {
  try {
    parseScalar(kind, name, text, visitor, R72);
  } catch (e) {
    if (e instanceof HotmemError) return e.message;
    throw e;
  }
  return 'accepted';
}

describe('core/parse/input-visitor: QEMU wording per entry point', () => {
  const TABLE: ReadonlyArray<readonly [ScalarKind, string, string, InputVisitor, string]> = [
    [SIZE, 'requested-size', '1x', 'keyval', "Parameter 'requested-size' expects size"],
    [SIZE, 'size', '1x', 'opts', "Parameter 'size' expects a size value"],
    [
      SIZE,
      'requested-size',
      '1x',
      'string',
      "Parameter 'requested-size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.",
    ],
    [SIZE, 'requested-size', '16E', 'string', "Value '16E' is out of range for parameter 'requested-size'"],
    [SIZE, 'requested-size', '16E', 'keyval', "Parameter 'requested-size' expects size"],
    [{ kind: 'bool' }, 'prealloc', 'ON', 'keyval', "Parameter 'prealloc' expects 'on' or 'off'"],
    [{ kind: 'bool' }, 'prealloc', '1', 'string', "Parameter 'prealloc' expects 'on' or 'off'"],
    [ON_OFF_AUTO, 'unplugged-inaccessible', 'maybe', 'keyval', "Parameter 'unplugged-inaccessible' does not accept value 'maybe'"],
    [ON_OFF_AUTO, 'unplugged-inaccessible', 'Auto', 'string', "Parameter 'unplugged-inaccessible' does not accept value 'Auto'"],
    [{ kind: 'uint64' }, 'memaddr', 'x', 'keyval', "Parameter 'memaddr' expects integer"],
    [{ kind: 'uint64' }, 'memaddr', 'x', 'string', "Parameter 'memaddr' expects uint64"],
    [{ kind: 'uint32' }, 'node', '4294967296', 'keyval', "Parameter 'node' expects uint32_t"],
    [{ kind: 'uint32' }, 'node', '4294967295', 'keyval', 'accepted'],
    [{ kind: 'int32' }, 'x', '2147483648', 'keyval', "Parameter 'x' expects int32_t"],
    [SIZE, 'size', '9P', 'keyval', "Parameter 'size': value 0x24000000000000 is valid for QEMU but beyond hotmem's modelled range (2^53)"],
  ];
  for (const [kind, name, text, visitor, expected] of TABLE) {
    it(`${visitor} ${name}=${text}`, () => assert.equal(message(kind, name, text, visitor), expected));
  }

  it('words a bad enum value as QERR_INVALID_PARAMETER (the value only) before 6.2 (ea29331ba6)', () => {
    assert.throws(() => parseScalar(ON_OFF_AUTO, 'rom', 'maybe', 'opts', release('5.2')), { message: "Invalid parameter 'maybe'" });
    assert.throws(() => parseScalar(ON_OFF_AUTO, 'rom', 'maybe', 'opts', release('6.1')), { message: "Invalid parameter 'maybe'" });
    assert.throws(() => parseScalar(ON_OFF_AUTO, 'rom', 'maybe', 'opts', release('6.2')), { message: "Parameter 'rom' does not accept value 'maybe'" });
  });

  it('returns typed values and the hex-suffix deprecation warning', () => {
    assert.deepEqual(parseScalar(SIZE, 'size', '0x1M', 'keyval', R72), {
      value: 1048576,
      warnings: [{ code: 'parse.hex-suffix-deprecated', message: 'Using a multiplier suffix on hex numbers is deprecated: 0x1M' }],
    });
    assert.equal(parseScalar({ kind: 'bool' }, 'p', 'yes', 'keyval', R72).value, true);
    assert.equal(parseScalar(ON_OFF_AUTO, 'u', 'auto', 'keyval', R72).value, 'auto');
  });
});
