import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { featureBit, FeatureSet } from '../../src/virtio/feature-set.js';
import { decodeFeatures, decodeStatus } from '../../src/virtio/qmp-status.js';

const word = (...bits: number[]): FeatureSet => FeatureSet.of(...bits.map(featureBit));

describe('virtio/qmp-status: x-query-virtio-status name tables by release', () => {
  // virtio-mem-pci's host features on 10.0 (bits 0, 1, 2, 24, 27, 28, 29, 30, 32, 40).
  const MEM = word(0, 1, 2, 24, 27, 28, 29, 30, 32, 40);
  const CASES: ReadonlyArray<readonly [string, number, FeatureSet, number, readonly string[], number | undefined]> = [
    // release, device id, features → first transport name (reversed table order), device names, unknown
    ['7.2', 24, MEM, 29, ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE'], 2 ** 40 + 2 ** 30 + 4 + 1],
    ['8.1', 24, MEM, 29, ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE'], 2 ** 30 + 4 + 1],
    ['9.2', 24, MEM, 29, ['VIRTIO_MEM_F_PERSISTENT_SUSPND', 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE'], 2 ** 30 + 1],
    ['10.2', 24, MEM, 29, ['VIRTIO_MEM_F_PERSISTENT_SUSPND', 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE'], 2 ** 30 + 1],
    // 11.0 names ACPI_PXM on x86 too (every entry compiled in, as Ubuntu's real 11.0.3 shows).
    ['11.0', 24, MEM, 29, ['VIRTIO_MEM_F_PERSISTENT_SUSPND', 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE', 'VIRTIO_MEM_F_ACPI_PXM'], 2 ** 30],
    [
      '7.2',
      5,
      word(1, 2, 3, 4, 5, 30),
      0,
      [
        'VIRTIO_BALLOON_F_REPORTING',
        'VIRTIO_BALLOON_F_PAGE_POISON',
        'VIRTIO_BALLOON_F_FREE_PAGE_HINT',
        'VIRTIO_BALLOON_F_DEFLATE_ON_OOM',
        'VIRTIO_BALLOON_F_STATS_VQ',
      ],
      2 ** 30,
    ],
  ];
  for (const [r, id, features, , names, unknown] of CASES) {
    it(`${r}: device ${id} names ${names.length} device bits, leaves ${unknown ?? 0} unknown`, () => {
      const decoded = decodeFeatures(release(r), id, features) as { 'dev-features': string[]; transports: string[]; 'unknown-dev-features'?: number };
      assert.deepEqual(
        decoded['dev-features'].map((t) => t.split(':')[0]),
        names,
      );
      assert.equal(decoded['unknown-dev-features'], unknown);
    });
  }

  it('RING_RESET is named from 8.1 on, between SR_IOV and the ring bits', () => {
    const names = (r: string) => (decodeFeatures(release(r), 24, word(28, 37, 40)) as { transports: string[] }).transports.map((t) => t.split(':')[0]);
    assert.deepEqual(names('8.0'), ['VIRTIO_RING_F_INDIRECT_DESC', 'VIRTIO_F_SR_IOV']);
    assert.deepEqual(names('8.1'), ['VIRTIO_RING_F_INDIRECT_DESC', 'VIRTIO_F_RING_RESET', 'VIRTIO_F_SR_IOV']);
  });

  it('decodes the status byte in table order, reversed, with the rest unknown', () => {
    assert.deepEqual(decodeStatus(release('10.0'), 0x0f | 0x20), {
      statuses: [
        'VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found',
        'VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device',
        'VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete',
        'VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready',
      ],
      'unknown-statuses': 0x20,
    });
  });
});
