import assert from 'node:assert/strict';
import { GiB, MiB } from '../../../src/core/units.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import { bootGuest, messages, sentLines } from './fixtures.js';

const X86 = { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 2 * MiB };

describe('guest/linux/virtio-mem plugging towards requested_size', () => {
  /*
   * Observed with QEMU 7.2 (trace virtio_mem_plug_request/virtio_mem_unplug_request) and Debian's
   * Linux 6.1.0-56 guest, -m 1G,maxmem=8G, memory-backend-ram size=4G, requested-size=300M, then
   * qom-set requested-size 100M: exactly these requests, in this order. (With block-size=1G
   * and 2G then 1G the same guest plugged 0x100000000 and 0x140000000 and unplugged 0x140000000,
   * as the BBM case below.)
   */
  it('Linux 6.1, 2 MiB blocks (SBM): 300 MiB then 100 MiB, as the real guest does it', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 300 * MiB } });
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> ack', 'plug 0x108000000 64 -> ack', 'plug 0x110000000 22 -> ack']);
    assert.deepEqual(
      g.driver.memoryBlocks().map((b) => [b.id, b.state]),
      [32, 33, 34].map((id) => [id, { kind: 'online', zone: 'kernel' }]),
    );
    assert.equal(g.driver.memTotalContribution(), 300 * MiB);
    assert.deepEqual(g.ram.driverManagedRam(), [gpaRange(4 * GiB, 384 * MiB)]);

    g.device.setRequestedSize(100 * MiB);
    g.scheduler.runUntilIdle();
    const unplugs = sentLines(g.driver).slice(3);
    const singles = (from: number, n: number) => Array.from({ length: n }, (_, i) => `unplug 0x${(from - i * 2 * MiB).toString(16)} 1 -> ack`);
    assert.deepEqual(unplugs, [
      // The partially plugged block first, one subblock at a time from the top.
      ...singles(0x112a00000, 22),
      // A fully plugged block the request covers goes in one piece.
      'unplug 0x108000000 64 -> ack',
      ...singles(0x107e00000, 14),
    ]);
    assert.deepEqual(messages(g.driver).slice(-2), ['plugged size: 0x12c00000', 'requested size: 0x6400000']);
    assert.deepEqual(
      g.driver.memoryBlocks().map((b) => b.id),
      [32],
    );
    assert.equal(g.driver.memTotalContribution(), 100 * MiB);
    assert.equal(g.device.pluggedSize(), 100 * MiB);
  });

  it('before 5.19 a subblock is 4 MiB (MAX_ORDER): 302 MiB plugs 300 MiB', () => {
    const old = bootGuest({ kernel: '5.15', device: { ...X86, requestedSize: 302 * MiB } });
    old.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(old.driver), ['plug 0x100000000 64 -> ack', 'plug 0x108000000 64 -> ack', 'plug 0x110000000 22 -> ack']);
    assert.equal(old.device.pluggedSize(), 300 * MiB);
    const now = bootGuest({ kernel: '5.19', device: { ...X86, requestedSize: 302 * MiB } });
    now.scheduler.runUntilIdle();
    assert.equal(now.device.pluggedSize(), 302 * MiB);
    assert.equal(sentLines(now.driver).at(-1), 'plug 0x110000000 23 -> ack');
  });

  it('partially plugged blocks fill up first, from their lowest free subblock', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 130 * MiB } });
    g.scheduler.runUntilIdle();
    g.device.setRequestedSize(260 * MiB);
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver), [
      'plug 0x100000000 64 -> ack',
      'plug 0x108000000 1 -> ack',
      'plug 0x108200000 63 -> ack',
      'plug 0x110000000 2 -> ack',
    ]);
  });

  it('Linux 6.1, 1 GiB blocks: Big Block Mode plugs whole big blocks upward', () => {
    const g = bootGuest({ kernel: '6.1', device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 1 * GiB, requestedSize: 2 * GiB + 512 * MiB } });
    assert.deepEqual(g.driver.state(), { kind: 'hotplug', mode: 'bbm' });
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 1 -> ack', 'plug 0x140000000 1 -> ack']);
    assert.equal(g.driver.memoryBlocks().length, 16);
    assert.equal(g.driver.memTotalContribution(), 2 * GiB);
    g.device.setRequestedSize(1 * GiB);
    g.scheduler.runUntilIdle();
    assert.equal(sentLines(g.driver).at(-1), 'unplug 0x140000000 1 -> ack');
    assert.deepEqual(g.driver.blockStates(), {
      mode: 'bbm',
      blocks: [
        { id: 4, state: 'added' },
        { id: 5, state: 'unused' },
      ],
    });
  });

  it('s390x 6.13: 256 MiB memory blocks of 1 MiB subblocks; 256 MiB device blocks use BBM', () => {
    const s = bootGuest({ kernel: '6.13', arch: 's390x', device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 1 * MiB, requestedSize: 300 * MiB } });
    s.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(s.driver), ['plug 0x100000000 256 -> ack', 'plug 0x110000000 44 -> ack']);
    const b = bootGuest({ kernel: '6.13', arch: 's390x', device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 256 * MiB, requestedSize: 600 * MiB } });
    b.scheduler.runUntilIdle();
    assert.deepEqual(b.driver.state(), { kind: 'hotplug', mode: 'bbm' });
    assert.deepEqual(sentLines(b.driver), ['plug 0x100000000 1 -> ack', 'plug 0x110000000 1 -> ack']);
    assert.equal(b.device.pluggedSize(), 512 * MiB);
  });

  it('a memory block only is added when it fits in the usable region', () => {
    // 64 MiB of usable region beyond 4 GiB + 128 MiB cannot hold a second 128 MiB block.
    const g = bootGuest({ kernel: '6.1', device: { ...X86, requestedSize: 192 * MiB, usableExtent: 0 } });
    g.scheduler.runUntilIdle();
    assert.deepEqual(sentLines(g.driver), ['plug 0x100000000 64 -> ack']);
    assert.equal(g.driver.worker().retryTimerDueAt, undefined, '-ENOSPC waits for an event, no timer');
  });

  describe('offline memory limits how much is added', () => {
    it('5.11+: 1 GiB of offline memory at most; onlining half of it lets the driver go on', () => {
      const g = bootGuest({ kernel: '6.1', onlinePolicy: 'offline', device: { ...X86, requestedSize: 2 * GiB } });
      g.scheduler.runUntilIdle();
      assert.equal(g.driver.requests().length, 8);
      assert.equal(g.driver.memTotalContribution(), 0);
      for (const id of [32, 33, 34]) assert.equal(g.driver.onlineMemoryBlock(id, 'movable'), 'ok');
      g.scheduler.runUntilIdle();
      assert.equal(g.driver.requests().length, 8, 'three online blocks free less than half the threshold');
      g.driver.onlineMemoryBlock(35, 'movable');
      g.scheduler.runUntilIdle();
      assert.equal(g.driver.requests().length, 12);
      assert.equal(g.driver.memTotalContribution(), 4 * 128 * MiB);
    });

    it('5.8-5.10: ten offline memory blocks at most', () => {
      const g = bootGuest({ kernel: '5.10', onlinePolicy: 'offline', device: { ...X86, requestedSize: 2 * GiB } });
      g.scheduler.runUntilIdle();
      assert.equal(g.driver.requests().length, 10);
    });
  });
});
