import assert from 'node:assert/strict';
import { bootFootprint, DEBIAN_KERNEL_IMAGES } from '../../../src/guest/linux/boot-footprint.js';
import { kernelVersion } from '../../../src/guest/linux/kernel-version.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const bootRam = [gpaRange(0, GiB)];
const memmapStart = GiB - 16 * MiB;

/** The 2 MiB host pages (THPs) a range touches, as the booted guests' pagemap shows them. */
const thps = (r: { start: number; length: number }) => [Math.floor(r.start / (2 * MiB)) * 2, Math.ceil((r.start + r.length) / (2 * MiB)) * 2];

describe('guest/linux/boot-footprint: what a Debian kernel leaves written in boot RAM', () => {
  const observed: readonly [string, number, number][] = [
    ['5.10', 48, 62],
    ['6.1', 52, 68],
    ['6.12', 60, 72],
    ['7.2', 62, 78],
  ];
  for (const [series, from, to] of observed) {
    it(`${series}: the decompressor's copy covers ${from}-${to} MiB in 2 MiB pages`, () => {
      const footprint = bootFootprint(kernelVersion(series), 'x86_64', bootRam, memmapStart);
      assert.equal(footprint.written.length, 1);
      assert.deepEqual(thps(footprint.written[0]!), [from, to]);
    });
  }

  it("7.2's late-freed memory lies below the boot memmap and is first in line", () => {
    const { hot } = bootFootprint(kernelVersion('7.2'), 'x86_64', bootRam, memmapStart);
    assert.deepEqual(hot, [gpaRange(memmapStart - 12 * MiB, DEBIAN_KERNEL_IMAGES['7.2']!.lateFreedStillFree)]);
    assert.deepEqual(bootFootprint(kernelVersion('6.1'), 'x86_64', bootRam, memmapStart).hot, []);
  });

  it('none for kernels Debian does not ship, for s390x, or outside boot RAM', () => {
    assert.deepEqual(bootFootprint(kernelVersion('5.15'), 'x86_64', bootRam, memmapStart), { written: [], hot: [] });
    assert.deepEqual(bootFootprint(kernelVersion('6.1'), 's390x', bootRam, memmapStart), { written: [], hot: [] });
    assert.deepEqual(bootFootprint(kernelVersion('6.1'), 'x86_64', [gpaRange(0, 32 * MiB)], 16 * MiB), { written: [], hot: [] });
  });
});
