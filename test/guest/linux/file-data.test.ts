import assert from 'node:assert/strict';
import { MiB } from '../../../src/core/units.js';
import { attachLinuxGuest } from '../../../src/cli/guest.js';
import { startVirtioMem } from '../../devices/virtio-mem/helpers.js';

/**
 * A workload that writes a file into tmpfs and removes it, on a guest with init_on_alloc (as
 * Debian's kernels have it): what the host keeps after each step, with and without free page
 * reporting. Reported blocks are discarded by QEMU, so RSS falls back once the guest has reported
 * what the file held (2 s after the free, then a pass every 2 s).
 */
function guest(reporting: boolean) {
  const props = reporting ? [{ name: 'free-page-reporting', value: 'on' }] : [];
  const f = startVirtioMem({ size: '1G', release: '10.0', items: [{ kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props }] });
  const g = attachLinuxGuest(f.machine, { kernel: '6.12' });
  g.settle();
  const rss = () => f.machine.process.status().vmRss;
  return { g, rss };
}

describe('guest/linux/file-data: a file written and removed, and what the host keeps', () => {
  const CASES = [
    // Boot left some memory written and free, reused first; with reporting it was given back at boot.
    { reporting: false, written: 60 * MiB, afterRemove: 60 * MiB },
    { reporting: true, written: 64 * MiB, afterRemove: 0 },
  ] as const;
  for (const { reporting, written, afterRemove } of CASES)
    it(`free page reporting ${reporting ? 'on' : 'off'}: +${written / MiB} MiB for 64 MiB written, ${afterRemove / MiB} MiB kept after removing it`, () => {
      const { g, rss } = guest(reporting);
      assert.deepEqual(g.balloon?.driver.reporting !== undefined, reporting);
      const before = rss();
      assert.deepEqual(g.files.fill(64 * MiB), { kind: 'done', held: 64 * MiB });
      g.settle();
      assert.equal(rss() - before, written);
      assert.deepEqual(g.files.fill(0), { kind: 'done', held: 0 });
      g.settle();
      assert.equal(rss() - before, afterRemove);
    });

  it('a file rewritten reuses the pages just freed: the host pays once', () => {
    const { g, rss } = guest(false);
    const before = rss();
    g.files.fill(32 * MiB);
    g.files.fill(32 * MiB);
    assert.equal(rss() - before, 32 * MiB);
  });
});
