import assert from 'node:assert/strict';
import { GiB, MiB } from '../../src/core/units.js';
import { attachLinuxGuest } from '../../src/cli/guest.js';
import { BALLOON_HANDLER } from '../../devices/virtio-balloon/balloon-handler.js';
import { startVirtioMem } from '../devices/virtio-mem/helpers.js';

/**
 * A balloon and virtio-mem in one guest (QEMU has no exclusion between them, qemu.md §4): the
 * balloon inflates hot-added ZONE_MOVABLE memory first, then hot-added ZONE_NORMAL, and unplugging
 * that memory migrates the balloon's pages into boot RAM (the new page inflated, the old one deflated). A booted Linux 6.12
 * on QEMU 10.0 inflates the same way (test/conformance/guest/balloon-virtio-mem.test.ts).
 */
function guestWithBoth(onlinePolicy: 'online_movable' | 'online') {
  const f = startVirtioMem({ size: '1G', release: '10.0', items: [{ kind: 'device', driver: 'virtio-balloon-pci', id: 'b0', props: [] }] });
  const guest = attachLinuxGuest(f.machine, { kernel: '6.12', onlinePolicy });
  const balloon = f.machine.model.services.get(BALLOON_HANDLER)!;
  const rss = () => f.machine.process.status().vmRss;
  const resize = (bytes: number) => {
    f.machine.model.setProperty(f.proxy, 'requested-size', { source: 'json', json: bytes });
    guest.settle();
  };
  const balloonTo = (bytes: number) => {
    balloon.toTarget(bytes);
    guest.settle();
  };
  const inDevice = () =>
    guest.ram
      .inUseRanges()
      .filter((r) => r.start >= f.base)
      .reduce((n, r) => n + r.length, 0);
  return { f, guest, balloon, rss, resize, balloonTo, inDevice };
}

describe('guest: balloon pages inside plugged virtio-mem memory', () => {
  it('the balloon inflates ZONE_MOVABLE memory first: never touched, so the host gets nothing back', () => {
    const g = guestWithBoth('online_movable');
    g.resize(128 * MiB);
    const before = g.rss();
    g.balloonTo(GiB - 16 * MiB);
    assert.equal(g.balloon.actual(), GiB - 16 * MiB);
    assert.equal(g.inDevice(), 16 * MiB, 'every balloon page is in the device');
    assert.equal(g.rss(), before);
  });

  it('memory onlined to the kernel zone is the allocator too: the balloon inflates it after ZONE_MOVABLE, before boot RAM', () => {
    const g = guestWithBoth('online');
    g.resize(128 * MiB);
    const kernelOwn = g.inDevice();
    const before = g.rss();
    g.balloonTo(GiB - 8 * MiB);
    assert.equal(g.balloon.actual(), GiB - 8 * MiB);
    assert.equal(g.inDevice(), kernelOwn + 8 * MiB);
    assert.equal(g.rss(), before, 'never touched: nothing back');
  });

  it("unplugging kernel-zone memory migrates the balloon's pages out; the pageblocks unmovable allocations pinned stay plugged", () => {
    const g = guestWithBoth('online');
    g.resize(128 * MiB);
    const kernelOwn = g.inDevice();
    g.balloonTo(GiB - 4 * MiB);
    g.resize(0);
    // 6.12: one 2 MiB subblock (a pageblock) for each of the unmovable and the reclaimable claim.
    assert.equal(g.f.proxy.get('size'), 4 * MiB);
    assert.equal(g.inDevice(), kernelOwn);
    assert.equal(g.balloon.actual(), GiB - 4 * MiB);
  });

  it('unplugging migrates the balloon pages into boot RAM; the balloon keeps its size and the device empties', () => {
    const g = guestWithBoth('online_movable');
    g.resize(128 * MiB);
    g.balloonTo(GiB - 16 * MiB);
    const before = g.rss();
    g.resize(0);
    assert.equal(g.f.proxy.get('size'), 0);
    assert.equal(g.balloon.actual(), GiB - 16 * MiB);
    assert.equal(g.inDevice(), 0);
    // Each new page is zeroed (init_on_alloc) and then discarded as the host inflates it: the
    // host keeps none of them, and gets back those boot had left resident.
    assert.ok(g.rss() <= before, `${g.rss()} <= ${before}`);
    g.balloonTo(GiB);
    assert.equal(g.balloon.actual(), GiB, 'the migrated pages deflate');
  });

  it('balloon pages with nowhere to go keep their subblocks plugged; the rest unplugs', () => {
    const g = guestWithBoth('online_movable');
    g.resize(128 * MiB);
    g.balloonTo(GiB - 16 * MiB);
    // Nothing free in boot RAM for migration targets.
    g.guest.pages.claim({ gpa: 0, length: GiB });
    g.resize(0);
    assert.equal(g.f.proxy.get('size'), 16 * MiB);
    assert.equal(g.balloon.actual(), GiB - 16 * MiB);
  });
});
