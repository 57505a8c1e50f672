import assert from 'node:assert/strict';
import { GuestPages, type GuestMemoryOptions } from '../../../src/guest/balloon/guest-pages.js';
import type { GuestMemoryPort } from '../../../src/guest/memory-port.js';

const MiB = 2 ** 20;
const done = { kind: 'done', rssDelta: 0 } as const;
const silent: GuestMemoryPort = { read: () => done, write: () => done, zero: () => done };

function pages(bootOrder: GuestMemoryOptions['bootOrder']): GuestPages {
  return new GuestPages([{ name: 'DMA32', range: { gpa: 16 * MiB, length: 64 * MiB } }], {
    memory: silent,
    bootOrder,
    movableMin: 'capped',
    initOnAlloc: false,
    initOnFree: false,
    pagePoisoning: false,
  });
}

describe('guest/balloon/guest-pages: the order the allocator hands memory out in', () => {
  const cases = [{ bootOrder: 'lowest' }, { bootOrder: 'highest' }] as const;
  const first = (order: GuestMemoryOptions['bootOrder']) => (order === 'lowest' ? 16 * MiB : 80 * MiB - 4096);
  for (const { bootOrder } of cases) {
    it(`boot memory ${bootOrder} address first`, () => {
      assert.deepEqual(pages(bootOrder).allocate(4096), [{ gpa: first(bootOrder), length: 4096 }]);
    });
  }

  it('memory freed since boot before boot memory, whichever the order', () => {
    for (const { bootOrder } of cases) {
      const p = pages(bootOrder);
      p.giveBack({ gpa: 40 * MiB, length: MiB });
      p.claim({ gpa: 40 * MiB, length: 4096 });
      assert.deepEqual(p.allocate(MiB), [
        { gpa: 40 * MiB + 4096, length: MiB - 4096 },
        { gpa: first(bootOrder), length: 4096 },
      ]);
    }
  });

  it('a claim takes memory out of the free count, and giving it back returns it', () => {
    const p = pages('lowest');
    const free = p.memFree();
    p.claim({ gpa: 32 * MiB, length: 2 * MiB });
    assert.equal(p.memFree(), free - 2 * MiB);
    p.giveBack({ gpa: 32 * MiB, length: 2 * MiB });
    assert.equal(p.memFree(), free);
    assert.deepEqual(p.allocate(2 * MiB), [{ gpa: 32 * MiB, length: 2 * MiB }]);
  });

  it('tells the shared view what it hands out and gets back', () => {
    const p = pages('lowest');
    const seen: string[] = [];
    p.listen({ allocated: (r) => seen.push(`+${r.gpa / MiB}`), freed: (r) => seen.push(`-${r.gpa / MiB}`) });
    p.release(p.allocate(MiB));
    assert.deepEqual(seen, ['+16', '-16']);
  });
});

describe('guest/balloon/guest-pages: hot-added memory onlined to ZONE_MOVABLE', () => {
  const MOVABLE = { gpa: 4096 * MiB, length: 8 * MiB };

  it('movable allocations take ZONE_MOVABLE first, in boot order, even before memory freed since boot', () => {
    for (const [bootOrder, firstPage] of [
      ['lowest', 4096 * MiB],
      ['highest', 4104 * MiB - 4096],
    ] as const) {
      const p = pages(bootOrder);
      p.giveBack({ gpa: 40 * MiB, length: MiB });
      p.claim({ gpa: 40 * MiB, length: MiB });
      p.release([{ gpa: 40 * MiB, length: MiB }]);
      p.onlineMovable(MOVABLE);
      assert.deepEqual(p.allocate(4096), [{ gpa: firstPage, length: 4096 }], bootOrder);
    }
  });

  it('when ZONE_MOVABLE runs out the rest comes from boot RAM', () => {
    const p = pages('lowest');
    p.onlineMovable(MOVABLE);
    assert.deepEqual(p.allocate(9 * MiB), [MOVABLE, { gpa: 16 * MiB, length: MiB }]);
  });

  it('counts in MemTotal and MemFree while online, and appears as a zone page reporting walks', () => {
    const p = pages('lowest');
    const [total, free] = [p.memTotal(), p.memFree()];
    p.onlineMovable(MOVABLE);
    assert.deepEqual([p.memTotal() - total, p.memFree() - free], [8 * MiB, 8 * MiB]);
    assert.deepEqual(p.zones.at(-1), { name: 'Movable', range: MOVABLE });
    p.offline(MOVABLE);
    assert.deepEqual([p.memTotal(), p.memFree(), p.zones.length], [total, free, 1]);
  });

  it('migration targets never come from the range being offlined', () => {
    const p = pages('lowest');
    p.onlineMovable(MOVABLE);
    assert.deepEqual(p.allocate(MiB, MOVABLE), [{ gpa: 16 * MiB, length: MiB }]);
    assert.deepEqual(p.allocate(MiB), [{ gpa: 4096 * MiB, length: MiB }], 'the excluded range stays free');
  });

  it("the free page hint's blocks (not movable) never come from ZONE_MOVABLE", () => {
    const p = pages('highest');
    p.onlineMovable(MOVABLE);
    assert.deepEqual(p.allocateBlock(4 * MiB), { gpa: 76 * MiB, length: 4 * MiB });
  });
});

describe('guest/balloon/guest-pages: hot-added memory onlined to ZONE_NORMAL', () => {
  const MOVABLE = { gpa: 4096 * MiB, length: 8 * MiB };
  const NORMAL = { gpa: 5120 * MiB, length: 8 * MiB };

  it('movable allocations take ZONE_MOVABLE, then hot-added ZONE_NORMAL, then boot RAM', () => {
    const p = pages('lowest');
    p.onlineKernel(NORMAL);
    p.onlineMovable(MOVABLE);
    assert.deepEqual(p.allocate(20 * MiB), [MOVABLE, NORMAL, { gpa: 16 * MiB, length: 4 * MiB }]);
  });

  it("unmovable blocks (the free page hint's) may come from it", () => {
    const p = pages('lowest');
    p.claim({ gpa: 16 * MiB, length: 64 * MiB });
    p.onlineKernel(NORMAL);
    assert.deepEqual(p.allocateBlock(4 * MiB), { gpa: 5124 * MiB, length: 4 * MiB });
  });

  it('counts in MemTotal while online, as a zone of its own, and leaves on offlining', () => {
    const p = pages('lowest');
    const total = p.memTotal();
    p.onlineKernel(NORMAL);
    assert.equal(p.memTotal() - total, 8 * MiB);
    assert.deepEqual(p.zones.at(-1), { name: 'Normal', range: NORMAL });
    p.offline(NORMAL);
    assert.deepEqual([p.memTotal(), p.zones.length], [total, 1]);
  });

  it('raises min_free_kbytes (a GFP_USER zone) and takes its share of it', () => {
    // 64 + 64 MiB: int_sqrt(131072 * 16) = 1448 KiB, 362 pages, 181 each; low adds a quarter.
    const p = pages('lowest');
    p.onlineKernel({ gpa: 4096 * MiB, length: 64 * MiB });
    assert.deepEqual(
      p.zones.map((z) => p.lowWatermark(z) / 4096),
      [226, 226],
    );
  });
});

describe('guest/balloon/guest-pages: memory freed page by page late in boot', () => {
  it('is first in line for order-0 allocations', () => {
    const p = pages('lowest');
    p.giveBackPages({ gpa: 40 * MiB, length: 4 * MiB });
    assert.deepEqual(p.allocate(MiB), [{ gpa: 43 * MiB, length: MiB }]);
  });

  it('serves no higher-order block, though it is free', () => {
    const p = pages('highest');
    p.giveBackPages({ gpa: 72 * MiB, length: 8 * MiB });
    assert.ok(p.holdsSinglePages({ gpa: 76 * MiB, length: 4 * MiB }));
    assert.deepEqual(p.allocateBlock(4 * MiB), { gpa: 68 * MiB, length: 4 * MiB });
  });

  it('once allocated and freed again it is ordinary free memory', () => {
    const p = pages('lowest');
    p.giveBackPages({ gpa: 40 * MiB, length: 2 * MiB });
    p.release(p.allocate(2 * MiB));
    assert.ok(!p.holdsSinglePages({ gpa: 40 * MiB, length: 2 * MiB }));
  });

  it('stays single pages when an offlining isolated it and gave it back', () => {
    const p = pages('lowest');
    p.giveBackPages({ gpa: 40 * MiB, length: 2 * MiB });
    p.allocate(MiB, { gpa: 40 * MiB, length: 2 * MiB });
    assert.ok(p.holdsSinglePages({ gpa: 40 * MiB, length: 2 * MiB }));
  });
});

describe('guest/balloon/guest-pages: low watermarks', () => {
  // 64 MiB of boot RAM: min_free_kbytes int_sqrt(65536 * 16) = 1024, 256 pages to share out.
  const MOVABLE = { gpa: 4096 * MiB, length: 512 * MiB };
  const PAGE = 4096;
  const CASES = [
    // 6.6+: ZONE_MOVABLE's min is 131072 / 1024 = 128 pages; its share (2048) only sets the delta.
    { movableMin: 'capped', boot: 256 + 64, movable: 128 + 512 },
    // Before: ZONE_MOVABLE takes its share (227) of the 256 pages, the boot zone keeps 28.
    { movableMin: 'share', boot: 28 + 16, movable: 227 + 131 },
  ] as const;
  for (const { movableMin, boot, movable } of CASES)
    it(`ZONE_MOVABLE's min ${movableMin === 'capped' ? 'capped as highmem (6.6+)' : 'a share of min_free_kbytes (before 6.6)'}: boot ${boot}, movable ${movable} pages low`, () => {
      const p = new GuestPages([{ name: 'DMA32', range: { gpa: 16 * MiB, length: 64 * MiB } }], {
        memory: silent,
        bootOrder: 'lowest',
        movableMin,
        initOnAlloc: false,
        initOnFree: false,
        pagePoisoning: false,
      });
      assert.equal(p.lowWatermark(p.zones[0]!), (256 + 64) * PAGE, 'boot RAM alone');
      p.onlineMovable(MOVABLE);
      assert.deepEqual(
        p.zones.map((z) => p.lowWatermark(z) / PAGE),
        [boot, movable],
      );
    });
});
