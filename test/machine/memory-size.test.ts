import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { GiB, MiB } from '../../src/core/units.js';
import { parseMemorySize } from '../../src/machine/memory-size.js';

const RULES = { defaultRamSize: 128 * MiB };

describe('machine/memory-size: -m', () => {
  const ACCEPTED: ReadonlyArray<readonly [string | undefined, number, number, number]> = [
    [undefined, 128 * MiB, 128 * MiB, 0],
    ['0', 128 * MiB, 128 * MiB, 0],
    ['512', 512 * MiB, 512 * MiB, 0],
    ['1G', GiB, GiB, 0],
    ['size=2G', 2 * GiB, 2 * GiB, 0],
    ['1G,maxmem=8G', GiB, 8 * GiB, 0],
    ['1G,slots=4,maxmem=8G', GiB, 8 * GiB, 4],
    ['1G,maxmem=1G', GiB, GiB, 0],
    ['1000k', 1024000, 1024000, 0],
    ['1001k', 1032192, 1032192, 0], // rounded up to 8 KiB
  ];
  for (const [text, ram, max, slots] of ACCEPTED) {
    it(`accepts -m ${String(text)}`, () => {
      assert.deepEqual(parseMemorySize(text, release('7.2'), RULES).memory, { ramSize: ram, maxRamSize: max, slots });
    });
  }

  const REJECTED: ReadonlyArray<readonly [string, string, string]> = [
    [
      '1G,maxmem=512M',
      'invalid value of maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)',
      'invalid value of -m option maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)',
    ],
    [
      '1G,slots=2,maxmem=1G',
      'invalid value of maxmem: memory slots were specified but maximum memory size (0x40000000) is equal to the initial memory size (0x40000000)',
      'invalid value of -m option maxmem: memory slots were specified but maximum memory size (0x40000000) is equal to the initial memory size (0x40000000)',
    ],
    ['1G,slots=2', 'slots specified but no max-size', "invalid -m option value: missing 'maxmem' option"],
    ['1G,frob=1', "Invalid parameter 'frob'", "Invalid parameter 'frob'"],
    [
      '1x',
      "Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.",
      "Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.",
    ],
  ];
  for (const [text, modern, legacy] of REJECTED) {
    it(`rejects -m ${text} with 7.2's and 7.0's words`, () => {
      assert.throws(() => parseMemorySize(text, release('7.2'), RULES), { message: modern });
      assert.throws(() => parseMemorySize(text, release('7.0'), RULES), { message: legacy });
    });
  }

  it('applies a machine fixup and reports its notice', () => {
    const parsed = parseMemorySize('1025M', release('7.2'), { defaultRamSize: 0, fixupRamSize: (size) => ({ size: size - MiB, notice: 'fixed' }) });
    assert.equal(parsed.memory.ramSize, 1024 * MiB);
    assert.deepEqual(parsed.notices, ['fixed']);
  });
});
