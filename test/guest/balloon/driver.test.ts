import assert from 'node:assert/strict';
import { kernelVersion } from '../../../src/guest/linux/kernel-version.js';
import { driverFeatures, validateFeatures } from '../../../src/guest/balloon/driver.js';
import { balloonLinuxHas } from '../../../src/guest/balloon/kernel-facts.js';
import { featureNames, FeatureSet } from '../../../src/virtio/feature-set.js';
import {
  VIRTIO_BALLOON_FEATURE_NAMES,
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
  VIRTIO_BALLOON_F_PAGE_POISON,
  VIRTIO_BALLOON_F_REPORTING,
} from '../../../devices/virtio-balloon/features.js';
import { bootGuest, touchAllAndFree } from './helpers.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const deviceBits = (f: FeatureSet) =>
  featureNames(FeatureSet.fromWord(f.word & 0x3fn), VIRTIO_BALLOON_FEATURE_NAMES).map((n) => n.replace('VIRTIO_BALLOON_F_', ''));

describe('guest/balloon: the Linux driver by kernel version', () => {
  const TABLE: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['4.19', ['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM']],
    ['4.20', ['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM', 'FREE_PAGE_HINT', 'PAGE_POISON']],
    ['5.6', ['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM', 'FREE_PAGE_HINT', 'PAGE_POISON']],
    ['5.7', ['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM', 'FREE_PAGE_HINT', 'PAGE_POISON', 'REPORTING']],
    ['6.1', ['MUST_TELL_HOST', 'STATS_VQ', 'DEFLATE_ON_OOM', 'FREE_PAGE_HINT', 'PAGE_POISON', 'REPORTING']],
  ];
  for (const [v, bits] of TABLE) {
    it(`${v} knows ${bits.join(', ')}`, () => assert.deepEqual(deviceBits(driverFeatures(kernelVersion(v))), bits));
  }

  it('deflates on OOM through a shrinker only in 4.20-5.6', () => {
    assert.deepEqual(
      ['4.19', '4.20', '5.6', '5.7'].map((v) => balloonLinuxHas(kernelVersion(v), 'deflate-on-oom-shrinker')),
      [false, true, true, false],
    );
  });

  // init_on_free, page poisoning, device offers PAGE_POISON → what survives validation
  const VALIDATE: ReadonlyArray<readonly [boolean, boolean, boolean, readonly string[]]> = [
    [false, false, true, ['REPORTING']],
    [true, false, true, ['PAGE_POISON', 'REPORTING']],
    [false, true, true, ['PAGE_POISON', 'REPORTING']],
    [true, false, false, []],
    [false, false, false, ['REPORTING']],
  ];
  for (const [initOnFree, pagePoisoning, offered, left] of VALIDATE) {
    it(`validate: init_on_free=${String(initOnFree)} poisoning=${String(pagePoisoning)}, PAGE_POISON ${offered ? '' : 'not '}offered → ${left.join(', ') || 'nothing'}`, () => {
      const both = offered ? FeatureSet.of(VIRTIO_BALLOON_F_PAGE_POISON, VIRTIO_BALLOON_F_REPORTING) : FeatureSet.of(VIRTIO_BALLOON_F_REPORTING);
      assert.deepEqual(deviceBits(validateFeatures(kernelVersion('6.1'), both, { initOnFree, pagePoisoning })), left);
    });
  }

  it('accepts what QEMU 7.2 offers by default, minus PAGE_POISON (Debian: no init_on_free)', () => {
    const g = bootGuest();
    assert.equal(g.driver.probe().kind, 'ready');
    assert.deepEqual(deviceBits(g.runtime.guestFeatures), ['STATS_VQ']);
  });
});

describe('guest/balloon: inflation, MemTotal and BALLOON_CHANGE (QEMU 7.2, Linux 6.1)', () => {
  it('inflates 1 GiB to 768 MiB in 256 rounds; MemTotal and pc.ram RSS both drop by exactly 256 MiB', () => {
    const g = bootGuest({ memory: '1G' });
    g.driver.probe();
    touchAllAndFree(g);
    const memTotal = g.pages.memTotal();
    const rss = g.machine.process.status().vmRss;
    g.runtime.toTarget(768 * MiB);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.driver.numPages, (256 * MiB) / 4096);
    assert.equal(memTotal - g.pages.memTotal(), 256 * MiB);
    assert.equal(rss - g.machine.process.status().vmRss, 256 * MiB);
    // The first change goes out at once; the rest is held for a second and only the last sent,
    // with the time it was raised (the real guest took ~400 ms under TCG).
    assert.deepEqual(
      g.changes.map(([m]) => m),
      [1023, 768],
    );
    assert.ok(g.changes[1]![1] > 0.35 && g.changes[1]![1] < 0.45, `${g.changes[1]![1]} s`);
  });

  it('keeps MemTotal with DEFLATE_ON_OOM, and deflates 1 MiB per OOM notification (5.7+)', () => {
    const g = bootGuest({ memory: '1G', device: 'deflate-on-oom=on' });
    g.driver.probe();
    assert.ok(g.runtime.guestFeatures.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM));
    const memTotal = g.pages.memTotal();
    g.runtime.toTarget(512 * MiB);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.pages.memTotal(), memTotal);
    const got = g.allocator.allocate(g.pages.memFree() + 10 * MiB + 4096);
    assert.equal(got.kind, 'done');
    assert.equal(g.driver.numPages * 4096, 512 * MiB - 11 * MiB);
  });

  it('deflates exactly what reclaim asks for through the shrinker in 5.4', () => {
    const g = bootGuest({ memory: '1G', device: 'deflate-on-oom=on', kernel: '5.4' });
    g.driver.probe();
    g.runtime.toTarget(512 * MiB);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.allocator.allocate(g.pages.memFree() + 10 * MiB + 4096).kind, 'done');
    assert.equal(g.driver.numPages * 4096, 512 * MiB - 10 * MiB - 4096);
  });

  it('lets the OOM killer run without DEFLATE_ON_OOM', () => {
    const g = bootGuest({ memory: '1G' });
    g.driver.probe();
    g.runtime.toTarget(512 * MiB);
    g.machine.scheduler.runUntilIdle();
    const got = g.allocator.allocate(g.pages.memFree() + MiB);
    assert.deepEqual(got, { kind: 'oom', short: MiB });
    assert.equal(g.driver.numPages * 4096, 512 * MiB);
  });

  it('deflates when the target grows again, and the guest reuses the pages', () => {
    const g = bootGuest({ memory: '1G' });
    g.driver.probe();
    touchAllAndFree(g);
    g.runtime.toTarget(512 * MiB);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.machine.process.status().vmRss, 512 * MiB);
    g.runtime.toTarget(GiB);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.driver.numPages, 0);
    touchAllAndFree(g);
    assert.equal(g.machine.process.status().vmRss, GiB);
    assert.deepEqual(g.changes.at(-1)?.[0], 1024);
  });

  it('sends its memory statistics whenever the device gives the buffer back', () => {
    const g = bootGuest({ memory: '1G', device: 'guest-stats-polling-interval=1' });
    g.driver.probe();
    g.runtime.toTarget(768 * MiB);
    g.machine.scheduler.runUntilIdle(2000);
    const stats = g.proxy.get('guest-stats') as unknown as { stats: Record<string, number> };
    assert.equal(stats.stats['stat-total-memory'], 768 * MiB);
    assert.equal(stats.stats['stat-free-memory'], 768 * MiB);
    assert.equal(stats.stats['stat-swap-in'], 0);
  });
});

describe('guest/balloon: free page reporting (5.7+)', () => {
  it('returns free memory to the host within about 30 s; the guest reuses it without telling the host', () => {
    const g = bootGuest({ memory: '4G', device: 'free-page-reporting=on' });
    g.driver.probe();
    touchAllAndFree(g);
    assert.equal(g.machine.process.status().vmRss, 4 * GiB);
    g.machine.scheduler.runUntilIdle();
    // Reported pages still count as free, so the watermark check never stops an idle guest:
    // everything goes back, each pass taking about 1/16 of a zone's free list (here two zones
    // of 2 GiB, 256 MiB per zone and pass), one pass every 2 s.
    assert.equal(g.machine.process.status().vmRss, 0);
    assert.equal(g.machine.clock.now() / 1e9, 16);
    assert.equal(g.pages.memFree(), 4 * GiB, 'reported pages still count as free in the guest');
    const reports = g.driver.reporting!.reports;
    const used = g.allocator.allocate(2 * GiB);
    assert.equal(used.kind, 'done');
    for (const r of used.ranges) g.pages.options.memory.write(r.gpa, r.length, 2);
    assert.equal(g.machine.process.status().vmRss, 2 * GiB);
    assert.equal(g.driver.reporting!.reports, reports, 'reuse sends nothing');
  });

  it('reports blocks of at least the pageblock: 2 MiB on x86_64, 1 MiB on s390x', () => {
    for (const [arch, min] of [
      ['x86_64', 2 * MiB],
      ['s390x', MiB],
    ] as const) {
      const g = bootGuest({ arch, memory: '1G', device: 'free-page-reporting=on' });
      g.driver.probe();
      const sizes = new Set<number>();
      const submit = g.runtime.submit.bind(g.runtime);
      g.runtime.submit = (queue, element) => {
        if ('inPages' in element) for (const p of (element as { inPages: { length: number }[] }).inPages) sizes.add(p.length);
        return submit(queue, element);
      };
      // Memory held just below the top leaves a free edge that is pageblock- but not 4 MiB-aligned.
      g.pages.allocate(min);
      g.machine.scheduler.runUntilIdle();
      assert.ok(sizes.size > 0 && [...sizes].every((s) => s >= min && s <= 4 * MiB), `${arch}: ${String([...sizes])}`);
      assert.ok(sizes.has(min));
    }
  });

  it('skips a zone with less free memory than its low watermark plus one batch', () => {
    for (const [free, reported] of [
      [60 * MiB, false],
      [80 * MiB, true],
    ] as const) {
      const g = bootGuest({ memory: '1G', device: 'free-page-reporting=on' });
      g.driver.probe();
      g.machine.scheduler.runUntilIdle();
      g.allocator.allocate(g.pages.memFree() - free);
      g.pages.release(g.pages.allocate(4 * MiB));
      const before = g.driver.reporting!.reports;
      g.machine.scheduler.runUntilIdle();
      assert.equal(g.driver.reporting!.reports > before, reported, `${free / MiB} MiB free`);
    }
  });

  it('a 5.4 guest never reports: free memory stays resident', () => {
    const g = bootGuest({ memory: '1G', device: 'free-page-reporting=on', kernel: '5.4' });
    g.driver.probe();
    touchAllAndFree(g);
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.machine.process.status().vmRss, GiB);
    assert.equal(g.driver.reporting, undefined);
  });
});

describe('guest/balloon: free page hinting', () => {
  it('hands 4 MiB blocks to a migration while the command id stands, and frees them on DONE', () => {
    const g = bootGuest({
      memory: '1G',
      device: 'free-page-hint=on,iothread=io0',
      items: [{ kind: 'object', type: 'iothread', id: 'io0', props: [] }],
    });
    g.driver.probe();
    let hinted = 0;
    g.runtime.onFreePageHint((h) => (hinted += h.length));
    g.runtime.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: false });
    g.machine.scheduler.runUntilIdle();
    assert.equal(hinted, g.driver.hintedBytes());
    assert.ok(hinted > 900 * MiB, `${hinted / MiB} MiB hinted`);
    assert.equal(g.runtime.state.freePageHintStatus, 'stop', 'the driver sent STOP after the last block');
    g.runtime.precopyNotify('cleanup', { vmRunning: true, postcopyRam: false });
    g.machine.scheduler.runUntilIdle();
    assert.equal(g.driver.hintedBytes(), 0);
    assert.equal(g.pages.memFree(), GiB);
  });
});
