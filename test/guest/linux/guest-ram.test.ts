import assert from 'node:assert/strict';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import { sharedBootView } from './fixtures.js';

const MiB = 2 ** 20;
const sharedView = () => sharedBootView(64 * MiB);

describe('guest/linux/guest-ram: one view of boot RAM for the kernel and the balloon', () => {
  it('memory the balloon holds is in use for the kernel', () => {
    const { ram, pages } = sharedView();
    const [taken] = pages.allocate(2 * MiB);
    assert.deepEqual(taken, { gpa: 0, length: 2 * MiB });
    assert.ok(ram.isInUse(gpaRange(MiB, 4096)));
    pages.release([taken]);
    assert.ok(!ram.isInUse(gpaRange(MiB, 4096)));
  });

  it('memory the kernel takes (a memmap) is not handed to the balloon, and comes back first when freed', () => {
    const { ram, pages } = sharedView();
    ram.markInUse(gpaRange(0, 4 * MiB));
    assert.deepEqual(pages.allocate(MiB), [{ gpa: 4 * MiB, length: MiB }]);
    ram.markFree(gpaRange(2 * MiB, 2 * MiB));
    assert.deepEqual(pages.allocate(2 * MiB), [{ gpa: 2 * MiB, length: 2 * MiB }]);
  });

  it('memory outside boot RAM stays the kernel view’s own', () => {
    const { ram, pages } = sharedView();
    const free = pages.memFree();
    ram.markInUse(gpaRange(4 * 1024 * MiB, 128 * MiB));
    assert.equal(pages.memFree(), free);
  });
});
