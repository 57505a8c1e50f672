/**
 * The Debian kernel images the guest model's boot footprint is derived from
 * (src/guest/linux/boot-footprint.ts) are the ones in the roots: same package, and the bzImage
 * header's init_size and setup size give the same figures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEBIAN_KERNEL_IMAGES } from '../../../src/guest/linux/boot-footprint.js';
import { GUEST_SUITES } from '../real-qemu.js';
import { findPrerequisites } from './prerequisites.js';

/** The x86 boot protocol header (Documentation/arch/x86/boot.rst): setup_sects at 0x1f1, init_size at 0x260. */
function bzImageFigures(image: Buffer): { initSize: number; protectedModeBytes: number } {
  assert.equal(image.toString('latin1', 0x202, 0x206), 'HdrS', 'not a bzImage');
  const setupSectors = image[0x1f1] || 4;
  return { initSize: image.readUInt32LE(0x260), protectedModeBytes: image.length - (setupSectors + 1) * 512 };
}

describe('conformance/guest: the boot footprint facts match the roots kernel images', () => {
  for (const { suite } of GUEST_SUITES) {
    it(`${suite}'s kernel`, async function () {
      const found = await findPrerequisites(suite, suite);
      if (!found.ok) {
        console.log(`      skipped: ${found.missing.join('; ')}`);
        this.skip();
      }
      const facts = DEBIAN_KERNEL_IMAGES[found.host.kernelSeries];
      assert.ok(facts, `no image facts for Linux ${found.host.kernelSeries}`);
      assert.equal(facts.image, basename(found.host.kernel.image));
      const { initSize, protectedModeBytes } = bzImageFigures(readFileSync(found.host.kernel.image));
      assert.deepEqual({ initSize, protectedModeBytes }, { initSize: facts.initSize, protectedModeBytes: facts.protectedModeBytes });
    });
  }
});
