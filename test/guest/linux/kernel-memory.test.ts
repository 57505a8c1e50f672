import assert from 'node:assert/strict';
import { GuestRam } from '../../../src/guest/linux/guest-ram.js';
import type { GuestMemoryPort } from '../../../src/guest/memory-port.js';
import { KernelMemory, memmapBytes } from '../../../src/guest/linux/kernel-memory.js';
import { gpaRange, type GpaRange } from '../../../src/guest/linux/ranges.js';
import { GUEST_ARCH_FACTS } from '../../../src/guest/linux/virtio-mem/rules.js';
import { DONE, SILENT_MEMORY, sharedBootView } from './fixtures.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const BLOCK = 128 * MiB;
const DEVICE = 4 * GiB;

function setup() {
  const ram = new GuestRam([gpaRange(0, GiB)]);
  const writes: GpaRange[] = [];
  const memory: GuestMemoryPort = {
    read: () => DONE,
    write: (gpa, length) => (writes.push(gpaRange(gpa, length)), DONE),
    zero: () => DONE,
  };
  const kernelZone: GpaRange[] = [];
  const kernel = new KernelMemory(GUEST_ARCH_FACTS.x86_64, ram, memory, () => kernelZone);
  /** A block added, plugged whole and onlined to a kernel zone. */
  const onlineKernel = (id: number): void => {
    const block = gpaRange(DEVICE + id * BLOCK, BLOCK);
    kernel.blockAdded(id, block);
    ram.giveToBuddy(block, 'kernel');
    kernelZone.push(block);
    kernel.kernelBlockOnline(block);
  };
  return { ram, writes, kernel, onlineKernel };
}

describe('guest/linux/kernel-memory', () => {
  it('a 128 MiB block has 2 MiB of struct pages', () => {
    assert.equal(memmapBytes(BLOCK), 2 * MiB);
  });

  it('without kernel-zone memory, a memmap comes from the top of boot RAM and goes back on removal', () => {
    const { ram, writes, kernel } = setup();
    kernel.blockAdded(32, gpaRange(DEVICE, BLOCK));
    kernel.blockAdded(33, gpaRange(DEVICE + BLOCK, BLOCK));
    assert.deepEqual(writes, [gpaRange(GiB - 2 * MiB, 2 * MiB), gpaRange(GiB - 4 * MiB, 2 * MiB)]);
    kernel.blockRemoved(33);
    assert.ok(!ram.isInUse(gpaRange(GiB - 4 * MiB, 2 * MiB)));
    assert.ok(ram.isInUse(gpaRange(GiB - 2 * MiB, 2 * MiB)));
  });

  it('a memmap (one PMD of vmemmap) skips memory boot freed page by page, free though it is', () => {
    const { ram, pages } = sharedBootView(GiB);
    const writes: GpaRange[] = [];
    const kernel = new KernelMemory(
      GUEST_ARCH_FACTS.x86_64,
      ram,
      { ...SILENT_MEMORY, write: (gpa, length) => (writes.push(gpaRange(gpa, length)), DONE) },
      () => [],
    );
    pages.giveBackPages({ gpa: GiB - 6 * MiB, length: 6 * MiB });
    kernel.blockAdded(32, gpaRange(DEVICE, BLOCK));
    assert.deepEqual(writes, [gpaRange(GiB - 8 * MiB, 2 * MiB)]);
    kernel.blockRemoved(32);
    kernel.blockAdded(33, gpaRange(DEVICE + BLOCK, BLOCK));
    assert.deepEqual(writes.at(-1), gpaRange(GiB - 8 * MiB, 2 * MiB), 'a freed memmap is a whole block again');
  });

  it('the first kernel-zone block pins the first pageblock of two max-order buddies; later memmaps come from it', () => {
    const { writes, onlineKernel } = setup();
    onlineKernel(0);
    onlineKernel(1);
    assert.deepEqual(writes, [
      gpaRange(GiB - 2 * MiB, 2 * MiB), // block 0's memmap: no kernel zone yet
      gpaRange(DEVICE, 2 * MiB), // the unmovable claim
      gpaRange(DEVICE + 4 * MiB, 2 * MiB), // the reclaimable claim
      gpaRange(DEVICE + 2 * MiB, 2 * MiB), // block 1's memmap, in kernel-zone memory
    ]);
  });

  it('no new claims while the pinned pageblocks stay online', () => {
    const { writes, onlineKernel } = setup();
    onlineKernel(0);
    const before = writes.length;
    onlineKernel(1);
    assert.equal(writes.length, before + 1, 'only block 1 memmap');
  });
});
