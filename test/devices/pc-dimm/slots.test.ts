import assert from 'node:assert/strict';
import { freeSlot, UNASSIGNED_SLOT } from '../../../devices/pc-dimm/slots.js';

describe('devices/pc-dimm: slot choice (pc_dimm_get_free_slot)', () => {
  const CASES: ReadonlyArray<readonly [string, number, number, readonly number[], number | string]> = [
    ['the lowest free slot', UNASSIGNED_SLOT, 4, [0, 2], 1],
    ['a requested free slot', 3, 4, [0], 3],
    ['no slots at all', UNASSIGNED_SLOT, 0, [], "no slots where allocated, please specify the 'slots' option"],
    ['no slots, even with a slot requested', 1, 0, [], "no slots where allocated, please specify the 'slots' option"],
    ['a slot past the last', 2, 2, [], 'invalid slot number 2, valid range is [0-1]'],
    ['a negative slot other than "unassigned"', -2, 2, [], 'invalid slot number -2, valid range is [0-1]'],
    ['a taken slot', 1, 2, [1], 'slot 1 is busy'],
    ['every slot taken', UNASSIGNED_SLOT, 2, [0, 1], 'no free slots available'],
  ];
  for (const [what, requested, slots, used, expected] of CASES) {
    it(`${what} → ${expected}`, () => {
      const run = () => freeSlot(requested, slots, new Set(used));
      if (typeof expected === 'number') assert.equal(run(), expected);
      else assert.throws(run, { message: expected });
    });
  }
});
