import assert from 'node:assert/strict';
import { GiB } from '../../../src/core/units.js';
import { attachLinuxGuest } from '../../../src/cli/guest.js';
import { migrate } from '../../../src/migration/engine.js';
import { startSeedMachine } from '../../../src/migration/seeds/machines.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../../devices/virtio-balloon/index.js';

const spec = {
  release: '7.2',
  arch: 'x86_64' as const,
  kernel: 'linux-6.1',
  accel: 'kvm' as const,
  machine: 'pc-q35-7.2',
  memory: '8G',
  items: [{ kind: 'device' as const, driver: 'virtio-balloon-pci', id: 'balloon0', props: [] }],
};

const runtimeOf = (m: ReturnType<typeof startSeedMachine>) => m.model.resolvePath('balloon0')!.child('virtio-backend')!.slots.get(VIRTIO_BALLOON_RUNTIME)!;

describe('devices/virtio-balloon: state through a migration', function () {
  this.timeout(20_000);
  it('the destination balloon reports the size the source balloon had, and its guest features', () => {
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    const guest = attachLinuxGuest(source, { kernel: '6.1' });
    runtimeOf(source).toTarget(6 * GiB);
    guest.settle();
    const before = runtimeOf(source).actualBytes();
    const outcome = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    assert.equal(outcome.kind, 'completed', outcome.kind === 'failed' ? outcome.message : '');
    assert.equal(before, 6 * GiB);
    assert.equal(runtimeOf(destination).actualBytes(), before);
    assert.equal(runtimeOf(destination).guestFeatures.word, runtimeOf(source).guestFeatures.word);
  });
});

describe('devices/virtio-balloon: free page hinting during precopy', function () {
  this.timeout(30_000);
  it('pages the guest hints free are neither read nor sent', () => {
    const hinted = {
      ...spec,
      items: [
        { kind: 'object' as const, type: 'iothread', id: 'io0', props: [] },
        {
          kind: 'device' as const,
          driver: 'virtio-balloon-pci',
          id: 'balloon0',
          props: [
            { name: 'free-page-hint', value: 'on' },
            { name: 'iothread', value: 'io0' },
          ],
        },
      ],
    };
    const source = startSeedMachine(hinted);
    const destination = startSeedMachine(hinted);
    attachLinuxGuest(source, { kernel: '6.1' }).settle();
    const outcome = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    assert.equal(outcome.kind, 'completed', outcome.kind === 'failed' ? outcome.message : '');
    assert.ok(outcome.stats.hintedPagesSkipped > 0, `hinted pages skipped: ${outcome.stats.hintedPagesSkipped}`);
  });
});
