import assert from 'node:assert/strict';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_PAGE_POISON, VIRTIO_BALLOON_F_STATS_VQ } from '../../../devices/virtio-balloon/features.js';
import { VIRTIO_BALLOON_VMSTATE, type VmstateSection } from '../../../devices/virtio-balloon/index.js';
import { configOffset } from '../../../devices/virtio-balloon/config.js';
import { MiB, handshake, startBalloon, type BalloonFixture } from './helpers.js';

const IOTHREAD = [{ kind: 'object' as const, type: 'iothread', id: 'io0', props: [] }];
const ALL = FeatureSet.of(VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_PAGE_POISON, VIRTIO_BALLOON_F_STATS_VQ);

function source(release: string, machine: string): BalloonFixture {
  const f = startBalloon({ release, machine, device: 'free-page-hint=on,iothread=io0,page-poison=on', items: IOTHREAD });
  handshake(f.runtime, ALL);
  f.runtime.toTarget(512 * MiB);
  f.runtime.writeConfig(configOffset('actual'), new Uint8Array([0, 1, 0, 0]));
  f.runtime.writeConfig(configOffset('poisonVal'), new Uint8Array([0xaa, 0xaa, 0xaa, 0xaa]));
  f.runtime.precopyNotify('after-bitmap-sync', { vmRunning: true, postcopyRam: false });
  return f;
}

describe('devices/virtio-balloon: vmstate (vmstate_virtio_balloon_device and subsections)', () => {
  it('saves num_pages and actual, and the subsections of what the guest negotiated', () => {
    const saved = VIRTIO_BALLOON_VMSTATE.save(source('7.2', 'q35').runtime);
    assert.deepEqual(saved, {
      name: 'virtio-balloon-device',
      version: 1,
      fields: [
        { name: 'num_pages', value: 131072 },
        { name: 'actual', value: 256 },
      ],
      subsections: [
        {
          name: 'virtio-balloon-device/free-page-report',
          version: 1,
          fields: [
            { name: 'free_page_hint_cmd_id', value: 0x80000001 },
            { name: 'free_page_hint_status', value: 1 },
          ],
          subsections: [],
        },
        { name: 'virtio-balloon-device/page-poison', version: 1, fields: [{ name: 'poison_val', value: 0xaaaaaaaa }], subsections: [] },
      ],
    });
  });

  it('sends no subsection for features the guest did not take', () => {
    const f = startBalloon();
    handshake(f.runtime, FeatureSet.EMPTY);
    assert.deepEqual(VIRTIO_BALLOON_VMSTATE.save(f.runtime).subsections, []);
  });

  it('round-trips into a fresh device', () => {
    const from = source('7.2', 'q35');
    const to = startBalloon({ device: 'free-page-hint=on,iothread=io0', items: IOTHREAD });
    VIRTIO_BALLOON_VMSTATE.load(to.runtime, VIRTIO_BALLOON_VMSTATE.save(from.runtime));
    const pick = (f: BalloonFixture) => {
      const s = f.runtime.state;
      return [s.numPages, s.actual, s.poisonVal, s.freePageHintCmdId, s.freePageHintStatus];
    };
    assert.deepEqual(pick(to), pick(from));
    assert.deepEqual(VIRTIO_BALLOON_VMSTATE.save(to.runtime).fields, VIRTIO_BALLOON_VMSTATE.save(from.runtime).fields);
  });

  it('5.1-6.1 misspelt the page-poison subsection, so not even the same release can load it', () => {
    const saved = VIRTIO_BALLOON_VMSTATE.save(source('6.1', 'pc-q35-6.1').runtime);
    assert.equal(saved.subsections[1]!.name, 'vitio-balloon-device/page-poison');
    const to = startBalloon({ release: '6.1', machine: 'pc-q35-6.1' });
    assert.throws(() => VIRTIO_BALLOON_VMSTATE.load(to.runtime, saved), { code: 'vmstate.subsection-unread' });
  });

  const BAD: ReadonlyArray<readonly [string, string, (s: VmstateSection) => VmstateSection, string]> = [
    ['7.2', 'q35', (s) => ({ ...s, version: 2 }), 'virtio-balloon-device: incoming version_id 2 is too new for local version_id 1'],
    ['7.2', 'q35', (s) => ({ ...s, version: 0 }), 'virtio-balloon-device: incoming version_id 0 is too old for local minimum version_id  1'],
    ['10.2', 'pc-q35-10.2', (s) => ({ ...s, version: 0 }), 'virtio-balloon-device: incoming version_id 0 is too old for local minimum version_id 1'],
    [
      '7.2',
      'q35',
      (s) => ({ ...s, subsections: [{ name: 'virtio-balloon-device/future', version: 1, fields: [], subsections: [] }] }),
      'Failed to load virtio-balloon:virtio',
    ],
  ];
  for (const [r, machine, edit, message] of BAD) {
    it(`${r} refuses: ${message}`, () => {
      const f = startBalloon({ release: r, machine });
      assert.throws(() => VIRTIO_BALLOON_VMSTATE.load(f.runtime, edit(VIRTIO_BALLOON_VMSTATE.save(f.runtime))), { message });
    });
  }

  it('re-arms a polling device one interval after the load (post_load)', () => {
    const f = startBalloon({ device: 'guest-stats-polling-interval=3' });
    handshake(f.runtime, FeatureSet.of(VIRTIO_BALLOON_F_STATS_VQ));
    f.runtime.submit(2, { out: [], in: [] });
    let used = 0;
    f.runtime.onUsed(2, () => used++);
    VIRTIO_BALLOON_VMSTATE.load(f.runtime, VIRTIO_BALLOON_VMSTATE.save(f.runtime));
    // The realize-time timer and the one the stats buffer armed are superseded by post_load's.
    f.machine.scheduler.runUntilIdle(3);
    assert.equal(used, 1);
    assert.equal(f.machine.clock.now(), 3_000_000_000);
  });
});
