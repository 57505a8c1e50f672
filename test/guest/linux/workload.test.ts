import assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/core/units.js';
import { GuestRam } from '../../../src/guest/linux/guest-ram.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import { bootGuest } from './fixtures.js';

describe('guest/linux/workload', () => {
  it('uses only memory the page allocator manages: boot RAM and plugged, online device memory', () => {
    const g = bootGuest({
      kernel: '6.1',
      bootRam: [gpaRange(0, 1 * GiB)],
      device: { addr: 4 * GiB, regionSize: 1 * GiB, blockSize: 2 * MiB, requestedSize: 100 * MiB },
    });
    g.scheduler.runUntilIdle();
    assert.deepEqual(g.workload.touch(gpaRange(0, 16 * MiB), 1), { kind: 'done', access: { kind: 'done', rssDelta: 0 } });
    assert.equal(g.workload.touch(gpaRange(4 * GiB, 100 * MiB), 2).kind, 'done');
    // The rest of the memory block is unplugged (PageOffline): the guest cannot allocate it.
    assert.deepEqual(g.workload.touch(gpaRange(4 * GiB + 98 * MiB, 4 * MiB), 3), {
      kind: 'not-guest-ram',
      range: gpaRange(4 * GiB + 98 * MiB, 4 * MiB),
    });
    assert.equal(g.workload.read(gpaRange(4 * GiB, 1 * MiB)).kind, 'done');
    assert.equal(g.workload.free(gpaRange(0, 16 * MiB), { zero: true }).kind, 'done');
    assert.deepEqual(g.ram.inUseRanges(), [gpaRange(4 * GiB, 100 * MiB)]);
    assert.deepEqual(g.memory.accesses, [
      { op: 'write', gpa: 0, length: 16 * MiB },
      { op: 'write', gpa: 4 * GiB, length: 100 * MiB },
      { op: 'read', gpa: 4 * GiB, length: 1 * MiB },
      { op: 'zero', gpa: 0, length: 16 * MiB },
    ]);
  });

  it('memory blocks left offline are not usable until onlined', () => {
    const g = bootGuest({
      kernel: '6.1',
      onlinePolicy: 'offline',
      device: { addr: 4 * GiB, regionSize: 1 * GiB, blockSize: 2 * MiB, requestedSize: 128 * MiB },
    });
    g.scheduler.runUntilIdle();
    assert.equal(g.workload.touch(gpaRange(4 * GiB, 4096), 1).kind, 'not-guest-ram');
    assert.equal(g.driver.onlineMemoryBlock(32, 'kernel'), 'ok');
    assert.equal(g.workload.touch(gpaRange(4 * GiB, 4096), 1).kind, 'done');
    assert.equal(g.driver.offlineMemoryBlock(32), 'EBUSY', 'a page in use cannot be migrated away');
  });

  it('GuestRam keeps boot and added System RAM as separate resources', () => {
    const ram = new GuestRam([gpaRange(0, 2 * GiB)]);
    ram.addDriverManaged(gpaRange(2 * GiB, 128 * MiB));
    ram.addDriverManaged(gpaRange(2 * GiB + 128 * MiB, 128 * MiB));
    assert.deepEqual(ram.systemRam(), [gpaRange(0, 2 * GiB), gpaRange(2 * GiB, 256 * MiB)]);
  });
});
