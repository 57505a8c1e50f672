import assert from 'node:assert/strict';
import { RAM_BLOCK } from '../../../src/machine/ram-block.js';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { readLe32, writeLe32 } from '../../../src/virtio/le.js';
import { configOffset } from '../../../devices/virtio-balloon/config.js';
import {
  VIRTIO_BALLOON_F_FREE_PAGE_HINT,
  VIRTIO_BALLOON_F_PAGE_POISON,
  VIRTIO_BALLOON_F_REPORTING,
  VIRTIO_BALLOON_F_STATS_VQ,
} from '../../../devices/virtio-balloon/features.js';
import type { FreePageHint } from '../../../devices/virtio-balloon/index.js';
import type { GuestPagesElement } from '../../../devices/virtio-balloon/port.js';
import { encodeStats, STAT_UNSET, VIRTIO_BALLOON_S } from '../../../devices/virtio-balloon/stats.js';
import { GiB, MiB, handshake, pfnElement, startBalloon, type BalloonFixture } from './helpers.js';

const le32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  writeLe32(b, 0, n);
  return b;
};
const field = (f: BalloonFixture, name: Parameters<typeof configOffset>[0]) => readLe32(f.runtime.readConfig(), configOffset(name));
const pagesElement = (ranges: GuestPagesElement['inPages']): GuestPagesElement => ({ out: [], in: [], inPages: ranges });
const IOTHREAD = [{ kind: 'object' as const, type: 'iothread', id: 'io0', props: [] }];

describe('devices/virtio-balloon: target, actual and BALLOON_CHANGE', () => {
  it('turns a target into num_pages, clamps it to RAM and ignores 0', () => {
    const f = startBalloon({ memory: '2G' });
    f.runtime.toTarget(512 * MiB);
    assert.equal(field(f, 'numPages'), (1536 * MiB) / 4096);
    f.runtime.toTarget(8 * GiB);
    assert.equal(field(f, 'numPages'), 0);
    f.runtime.toTarget(GiB);
    f.runtime.toTarget(0);
    assert.equal(field(f, 'numPages'), GiB / 4096);
  });

  it('notifies the driver of a new target only once DRIVER_OK is set', () => {
    const f = startBalloon();
    let changes = 0;
    f.runtime.onConfigChange(() => changes++);
    f.runtime.toTarget(512 * MiB);
    assert.equal(changes, 0);
    handshake(f.runtime, FeatureSet.EMPTY);
    f.runtime.toTarget(256 * MiB);
    assert.equal(changes, 1);
  });

  it('reports every change of actual as BALLOON_CHANGE with the logical VM size, at most once a second', () => {
    const f = startBalloon({ memory: '1G' });
    handshake(f.runtime, FeatureSet.EMPTY);
    const seen: Array<[number, number]> = [];
    f.machine.events.on('BALLOON_CHANGE', (e) => seen.push([e.data.actual / MiB, e.at]));
    f.runtime.writeConfig(configOffset('actual'), le32(256));
    f.runtime.writeConfig(configOffset('actual'), le32(256));
    f.runtime.writeConfig(configOffset('actual'), le32(512));
    assert.equal(f.runtime.actualBytes(), GiB - 2 * MiB);
    assert.deepEqual(seen, [[1023, 0]]);
    f.machine.scheduler.runUntilIdle();
    assert.deepEqual(seen, [
      [1023, 0],
      [1022, 0],
    ]);
  });

  it('takes poison_val only with PAGE_POISON negotiated, and ignores writes past the exposed config', () => {
    const poisoned = startBalloon();
    handshake(poisoned.runtime, FeatureSet.of(VIRTIO_BALLOON_F_PAGE_POISON));
    poisoned.runtime.writeConfig(configOffset('poisonVal'), le32(0xaaaaaaaa));
    assert.equal(poisoned.runtime.state.poisonVal, 0xaaaaaaaa);
    const plain = startBalloon();
    handshake(plain.runtime, FeatureSet.EMPTY);
    plain.runtime.writeConfig(configOffset('poisonVal'), le32(0xaaaaaaaa));
    assert.equal(plain.runtime.state.poisonVal, 0);
    const small = startBalloon({ machine: 'pc-q35-5.0' });
    small.runtime.writeConfig(configOffset('poisonVal'), le32(1));
    assert.equal(small.runtime.readConfig().length, 8);
  });

  it('reads legacy big-endian PFNs on s390x without VERSION_1 (s390-ccw-virtio-2.4, max_revision 0)', () => {
    const f = startBalloon({ arch: 's390x', machine: 's390-ccw-virtio-2.4', memory: '1G' });
    handshake(f.runtime, FeatureSet.EMPTY);
    const block = f.machine.model.resolvePath('/objects/s390.ram')!.slots.get(RAM_BLOCK)!;
    block.mapping!.write(0, GiB, 1);
    f.runtime.submit(0, pfnElement(0, MiB, 'be'));
    assert.equal(block.mapping!.rssBytes, GiB - MiB);
  });
});

describe('devices/virtio-balloon: free page reporting queue', () => {
  function reporting(device = 'free-page-reporting=on'): BalloonFixture {
    const f = startBalloon({ memory: '1G', device });
    handshake(f.runtime, FeatureSet.of(VIRTIO_BALLOON_F_REPORTING, VIRTIO_BALLOON_F_PAGE_POISON));
    const block = f.machine.model.resolvePath('/objects/pc.ram')!.slots.get(RAM_BLOCK)!;
    block.mapping!.write(0, GiB, 5);
    return f;
  }

  it('is queue 3 without hinting and discards each reported range', () => {
    const f = reporting();
    const done = f.runtime.submit(
      3,
      pagesElement([
        { gpa: 0, length: 4 * MiB },
        { gpa: 64 * MiB, length: 2 * MiB },
      ]),
    );
    assert.deepEqual(done, { kind: 'used', len: 0, in: [] });
    assert.equal(f.machine.process.status().vmRss, GiB - 6 * MiB);
  });

  it('skips ranges not aligned to the RAMBlock page size, or past its end', () => {
    const f = reporting();
    f.runtime.submit(
      3,
      pagesElement([
        { gpa: 1024, length: 4096 },
        { gpa: GiB - 4096, length: 8192 },
      ]),
    );
    assert.equal(f.machine.process.status().vmRss, GiB - 4096);
  });

  it('discards nothing while the guest poisons freed pages with a non-zero value', () => {
    const f = reporting();
    f.runtime.writeConfig(configOffset('poisonVal'), le32(0xaaaaaaaa));
    f.runtime.submit(3, pagesElement([{ gpa: 0, length: 4 * MiB }]));
    assert.equal(f.machine.process.status().vmRss, GiB);
  });
});

describe('devices/virtio-balloon: free page hinting (migration)', () => {
  function hinting(release = '7.2', machine = 'q35'): { f: BalloonFixture; hints: FreePageHint[] } {
    const f = startBalloon({ release, machine, memory: '1G', device: 'free-page-hint=on,iothread=io0', items: IOTHREAD });
    handshake(f.runtime, FeatureSet.of(VIRTIO_BALLOON_F_FREE_PAGE_HINT));
    const hints: FreePageHint[] = [];
    f.runtime.onFreePageHint((h) => hints.push(h));
    return { f, hints };
  }
  const cmd = (id: number) => ({ out: [le32(id)], in: [] });
  const running = { vmRunning: true, postcopyRam: false };

  it('asks for hints after each bitmap sync, takes them once the guest answers with the id, stops before the next sync', () => {
    const { f, hints } = hinting();
    assert.equal(field(f, 'freePageHintCmdId'), 0);
    f.runtime.precopyNotify('after-bitmap-sync', running);
    assert.equal(field(f, 'freePageHintCmdId'), 0x80000001);
    f.runtime.submit(3, pagesElement([{ gpa: 0, length: 4 * MiB }]));
    assert.equal(hints.length, 0, 'no hints before the guest acknowledged the id');
    f.runtime.submit(3, cmd(0x80000001));
    assert.equal(f.runtime.state.freePageHintStatus, 'start');
    f.runtime.submit(3, {
      ...pagesElement([
        { gpa: 0, length: 4 * MiB },
        { gpa: 8 * MiB, length: 4 * MiB },
      ]),
    });
    assert.deepEqual(
      hints.map((h) => [h.offset / MiB, h.length / MiB]),
      [
        [0, 4],
        [8, 4],
      ],
    );
    f.runtime.precopyNotify('before-bitmap-sync', running);
    assert.equal(field(f, 'freePageHintCmdId'), 0);
    f.runtime.precopyNotify('after-bitmap-sync', { vmRunning: false, postcopyRam: false });
    assert.equal(field(f, 'freePageHintCmdId'), 1, 'DONE once the VM stopped');
    assert.equal(f.machine.process.status().vmRss, 0, 'hinting never discards');
  });

  it('wraps the command id back to 0x80000000', () => {
    const { f } = hinting();
    f.runtime.state.freePageHintCmdId = 0xffffffff;
    f.runtime.precopyNotify('after-bitmap-sync', running);
    assert.equal(field(f, 'freePageHintCmdId'), 0x80000000);
  });

  it('does not hint when postcopy is possible from 6.2; 6.1 still did', () => {
    const modern = hinting('7.2');
    modern.f.runtime.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: true });
    assert.equal(field(modern.f, 'freePageHintCmdId'), 0);
    const old = hinting('6.1', 'pc-q35-6.1');
    old.f.runtime.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: true });
    assert.equal(field(old.f, 'freePageHintCmdId'), 0x80000001);
  });

  it('took only the first hinted buffer of an element before 6.2', () => {
    const { f, hints } = hinting('6.1', 'pc-q35-6.1');
    f.runtime.precopyNotify('after-bitmap-sync', running);
    f.runtime.submit(3, cmd(0x80000001));
    f.runtime.submit(
      3,
      pagesElement([
        { gpa: 0, length: 4 * MiB },
        { gpa: 8 * MiB, length: 4 * MiB },
      ]),
    );
    assert.equal(hints.length, 1);
  });

  it('breaks the device on a short command id: "received an incorrect cmd id"', () => {
    const { f } = hinting();
    f.runtime.submit(3, { out: [new Uint8Array(2)], in: [] });
    assert.equal(f.runtime.broken, true);
    assert.deepEqual(
      f.runtime.warnings.map((w) => w.message),
      ['received an incorrect cmd id'],
    );
  });
});

describe('devices/virtio-balloon: statistics', () => {
  const statsElement = (free: bigint) => ({
    out: [
      encodeStats(
        [
          { tag: VIRTIO_BALLOON_S.MEMFREE, value: free },
          { tag: 15, value: 7n },
        ],
        'le',
      ),
    ],
    in: [],
  });

  it('holds the stats buffer and gives it back every polling interval; guest-stats shows the values', () => {
    const f = startBalloon({ device: 'guest-stats-polling-interval=2' });
    handshake(f.runtime, FeatureSet.of(VIRTIO_BALLOON_F_STATS_VQ));
    let interrupts = 0;
    f.runtime.onUsed(2, () => interrupts++);
    f.machine.clock.advance(5_000_000_000);
    assert.equal(f.runtime.submit(2, statsElement(123n)).kind, 'held');
    f.machine.scheduler.runUntilIdle(3);
    assert.equal(interrupts, 1);
    assert.equal(f.machine.clock.now(), 7_000_000_000, 'one interval after the buffer arrived');
    const stats = f.proxy.get('guest-stats') as unknown as { 'last-update': number; stats: Record<string, number | bigint> };
    assert.equal(stats['last-update'], 5);
    assert.equal(stats.stats['stat-free-memory'], 123);
    assert.equal(stats.stats['stat-swap-in'], STAT_UNSET, 'exact, as QMP prints it: 18446744073709551615');
    // 7.2 knows 10 tags: tag 15 from a newer guest is ignored.
    assert.equal(Object.keys(stats.stats).length, 10);
    assert.equal(stats.stats['stat-direct-reclaims'], undefined);
  });

  it('keeps the buffer while the driver has not negotiated the stats queue', () => {
    const f = startBalloon({ device: 'guest-stats-polling-interval=1' });
    handshake(f.runtime, FeatureSet.EMPTY);
    let interrupts = 0;
    f.runtime.onUsed(2, () => interrupts++);
    f.runtime.submit(2, statsElement(1n));
    f.machine.scheduler.runUntilIdle(5);
    assert.equal(interrupts, 0);
  });

  it('knows 16 tags from 9.2', () => {
    const f = startBalloon({ release: '9.2', machine: 'pc-q35-9.2' });
    handshake(f.runtime, FeatureSet.EMPTY);
    f.runtime.submit(2, statsElement(1n));
    const stats = f.proxy.get('guest-stats') as unknown as { stats: Record<string, number> };
    assert.equal(stats.stats['stat-direct-reclaims'], 7);
  });

  it('forgets the stats on a machine reset from 10.0, but not on a wakeup; 7.2 keeps them', () => {
    for (const [r, machine, type, kept] of [
      ['10.0', 'pc-q35-10.0', 'cold', false],
      ['10.0', 'pc-q35-10.0', 'wakeup', true],
      ['7.2', 'q35', 'cold', true],
    ] as const) {
      const f = startBalloon({ release: r, machine });
      handshake(f.runtime, FeatureSet.EMPTY);
      f.runtime.submit(2, statsElement(9n));
      f.runtime.systemReset(type);
      assert.equal(f.runtime.state.stats[VIRTIO_BALLOON_S.MEMFREE] === 9n, kept, `${r} ${type}`);
      assert.equal(f.runtime.state.statsElementHeld, false);
    }
  });
});

describe('devices/virtio-balloon: reset', () => {
  it('clears poison_val and stops hinting', () => {
    const f = startBalloon({ device: 'free-page-hint=on,iothread=io0', items: IOTHREAD });
    handshake(f.runtime, FeatureSet.of(VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_PAGE_POISON));
    f.runtime.writeConfig(configOffset('poisonVal'), le32(0xaaaaaaaa));
    f.runtime.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: false });
    f.runtime.systemReset('cold');
    assert.equal(f.runtime.state.poisonVal, 0);
    assert.equal(f.runtime.state.freePageHintStatus, 'stop');
  });
});
