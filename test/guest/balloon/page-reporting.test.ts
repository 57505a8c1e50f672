import assert from 'node:assert/strict';
import type { Timeline } from '../../../src/core/scheduler.js';
import { nanos } from '../../../src/core/units.js';
import { GuestPages, type GuestMemoryOptions } from '../../../src/guest/balloon/guest-pages.js';
import { PageReporting } from '../../../src/guest/balloon/page-reporting.js';
import type { Range } from '../../../src/guest/balloon/extents.js';
import type { GuestMemoryPort } from '../../../src/guest/memory-port.js';

const MiB = 2 ** 20;
const done = { kind: 'done', rssDelta: 0 } as const;
const silent: GuestMemoryPort = { read: () => done, write: () => done, zero: () => done };
const MOVABLE = { gpa: 4096 * MiB, length: 512 * MiB };

/** Work the reporting schedules, run in order until none is left. */
function runAll(): { timeline: Timeline; drain: () => void } {
  const due: (() => void)[] = [];
  return {
    timeline: { now: () => nanos(0), after: (_delay, run) => void due.push(run) },
    drain: () => {
      while (due.length > 0) due.shift()!();
    },
  };
}

describe('guest/balloon/page-reporting: the watermark check per zone', () => {
  // A zone is skipped while its free memory is below its low watermark plus one batch (32 blocks
  // of 2 MiB). ZONE_MOVABLE with 66 MiB free: 6.6+ asks for 64 MiB + 640 pages (2.5 MiB), older
  // kernels 64 MiB + 358 pages (1.4 MiB); a watermark of 0 would report it on both.
  const CASES = [
    { movableMin: 'capped', reported: false },
    { movableMin: 'share', reported: true },
  ] as const;
  for (const { movableMin, reported } of CASES)
    it(`66 MiB free in a 512 MiB ZONE_MOVABLE: ${reported ? 'reported' : 'skipped'} with its min ${movableMin}`, () => {
      const options: GuestMemoryOptions = { memory: silent, bootOrder: 'lowest', movableMin, initOnAlloc: false, initOnFree: false, pagePoisoning: false };
      const pages = new GuestPages([{ name: 'DMA32', range: { gpa: 16 * MiB, length: 64 * MiB } }], options);
      pages.onlineMovable(MOVABLE);
      pages.allocate(MOVABLE.length - 66 * MiB);
      const sent: Range[] = [];
      const { timeline, drain } = runAll();
      new PageReporting(pages, timeline, 2 * MiB, 4 * MiB, (batch) => (sent.push(...batch), true));
      drain();
      assert.equal(
        sent.some((r) => r.gpa >= MOVABLE.gpa),
        reported,
      );
    });
});
