import assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/core/units.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import { bootGuest, sentLines } from './fixtures.js';

const X86 = { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 2 * MiB };
const MB32 = 4 * GiB;
const MB33 = 4 * GiB + 128 * MiB;

describe('guest/linux/virtio-mem unplugging what the guest can give back', () => {
  it('pages in use keep their subblocks plugged; the rest goes and the driver backs off (-EBUSY)', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 256 * MiB } });
    g.scheduler.runUntilIdle();
    // A program holds 4 MiB at the top of the first block and 2 MiB in the middle of the second.
    assert.equal(g.workload.touch(gpaRange(MB32 + 124 * MiB, 4 * MiB), 1).kind, 'done');
    assert.equal(g.workload.touch(gpaRange(MB33 + 64 * MiB, 2 * MiB), 2).kind, 'done');
    g.device.setRequestedSize(0);
    g.scheduler.runUntilIdle(1);
    const lines = sentLines(g.driver).slice(2);
    // Block 33 is tried whole first (busy), then subblock by subblock from the top, skipping 32.
    assert.equal(lines.length, 63 + 62);
    assert.ok(!lines.includes('unplug 0x10c000000 1 -> ack'), 'the subblock in use stays');
    assert.equal(lines[0], 'unplug 0x10fe00000 1 -> ack');
    assert.equal(lines[63], 'unplug 0x107a00000 1 -> ack', 'block 32 from below the pages in use');
    assert.equal(g.device.pluggedSize(), 6 * MiB);
    assert.equal(g.driver.memTotalContribution(), 6 * MiB);
    assert.equal(g.driver.worker().retryTimerDueAt, 50e9, '-EBUSY arms the retry timer');
    // Freeing the pages lets the next retry finish the job.
    g.workload.free(gpaRange(MB32 + 124 * MiB, 4 * MiB));
    g.workload.free(gpaRange(MB33 + 64 * MiB, 2 * MiB));
    g.scheduler.runUntilIdle();
    assert.equal(g.device.pluggedSize(), 0);
    assert.deepEqual(g.driver.memoryBlocks(), []);
    assert.deepEqual(g.ram.driverManagedRam(), []);
  });

  it('5.14+ unplugs ZONE_MOVABLE blocks before kernel-zone blocks; 5.13 goes strictly top-down', () => {
    for (const [kernel, first] of [
      ['5.13', 'unplug 0x108000000 64 -> ack'],
      ['5.14', 'unplug 0x100000000 64 -> ack'],
    ] as const) {
      const g = bootGuest({ kernel, onlinePolicy: 'offline', device: { ...X86, requestedSize: 256 * MiB } });
      g.scheduler.runUntilIdle();
      g.driver.onlineMemoryBlock(32, 'movable');
      g.driver.onlineMemoryBlock(33, 'kernel');
      g.device.setRequestedSize(128 * MiB);
      g.scheduler.runUntilIdle();
      assert.equal(sentLines(g.driver).at(-1), first, kernel);
    }
  });

  it('offline blocks go first, by one request per run of plugged subblocks, and are removed', () => {
    const g = bootGuest({ kernel: '6.1', onlinePolicy: 'offline', device: { ...X86, requestedSize: 300 * MiB } });
    g.scheduler.runUntilIdle();
    g.driver.onlineMemoryBlock(32, 'kernel');
    g.device.setRequestedSize(100 * MiB);
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver).slice(3), [
      'unplug 0x110000000 22 -> ack',
      'unplug 0x108000000 64 -> ack',
      'unplug 0x107e00000 1 -> ack',
      ...Array.from({ length: 13 }, (_, i) => `unplug 0x${(0x107c00000 - i * 2 * MiB).toString(16)} 1 -> ack`),
    ]);
  });

  it('unplug_online=0 stops after the offline blocks', () => {
    const g = bootGuest({ kernel: '6.1', moduleParams: { unplugOnline: false }, device: { ...X86, requestedSize: 256 * MiB } });
    g.scheduler.runUntilIdle();
    g.device.setRequestedSize(0);
    g.scheduler.runUntilIdle();
    assert.equal(g.driver.requests().length, 2);
    assert.equal(g.driver.worker().retryTimerDueAt, undefined, 'returns 0: no retry');
  });

  it('BBM: a big block with pages in use is skipped (-EBUSY), the next one down is unplugged', () => {
    const g = bootGuest({ kernel: '6.1', device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 1 * GiB, requestedSize: 2 * GiB } });
    g.scheduler.runUntilIdle();
    g.workload.touch(gpaRange(5 * GiB + 300 * MiB, 1 * MiB), 7);
    g.device.setRequestedSize(1 * GiB);
    g.scheduler.runUntilIdle(2);
    assert.deepEqual(sentLines(g.driver).slice(2), ['unplug 0x100000000 1 -> ack']);
    assert.equal(g.driver.memTotalContribution(), 1 * GiB);
    assert.deepEqual(g.driver.blockStates(), {
      mode: 'bbm',
      blocks: [
        { id: 4, state: 'unused' },
        { id: 5, state: 'added' },
      ],
    });
  });

  // The kernel's first unmovable and reclaimable allocations into ZONE_NORMAL pin one pageblock
  // each (kernel-memory.ts): what stays is the unit the mode unplugs that holds them.
  const PINNED = [
    { name: 'SBM on 6.1: the two 2 MiB subblocks that hold them', kernel: '6.1', blockSize: 2 * MiB, requested: 256 * MiB, stays: 4 * MiB },
    { name: 'SBM on 5.10: the two 4 MiB subblocks that hold them', kernel: '5.10', blockSize: 2 * MiB, requested: 256 * MiB, stays: 8 * MiB },
    { name: 'BBM on 6.1: the whole 1 GiB big block', kernel: '6.1', blockSize: GiB, requested: 2 * GiB, stays: GiB },
  ] as const;
  for (const c of PINNED) {
    it(`ZONE_NORMAL after requested-size 0, ${c.name}; the driver retries (-EBUSY)`, () => {
      const g = bootGuest({
        kernel: c.kernel,
        onlinePolicy: 'online',
        kernelAllocations: true,
        device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: c.blockSize, requestedSize: c.requested },
      });
      g.scheduler.runUntilIdle();
      g.device.setRequestedSize(0);
      g.scheduler.runUntilIdle(2);
      assert.equal(g.device.pluggedSize(), c.stays);
      assert.notEqual(g.driver.worker().retryTimerDueAt, undefined);
    });
  }

  it('init_on_alloc=1 zeroes the pages it takes before unplugging them', () => {
    const g = bootGuest({ kernel: '6.1', initOnAlloc: true, device: { ...X86, requestedSize: 128 * MiB } });
    g.scheduler.runUntilIdle();
    g.device.setRequestedSize(124 * MiB);
    g.scheduler.runUntilIdle();
    assert.deepEqual(g.memory.accesses, [
      { op: 'zero', gpa: MB32 + 126 * MiB, length: 2 * MiB },
      { op: 'zero', gpa: MB32 + 124 * MiB, length: 2 * MiB },
    ]);
  });
});
