import assert from 'node:assert/strict';
import { VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_FEATURE_NAMES } from '../../devices/virtio-mem/features.js';
import { FeatureSet, featureNames } from '../../src/virtio/feature-set.js';
import {
  VIRTIO_COMMON_FEATURE_PROPERTIES,
  VIRTIO_LEGACY_FEATURES,
  commonHostFeatures,
  modernDeviceFeatures,
  virtioPciPrePlug,
} from '../../src/virtio/host-features.js';
import { TRANSPORT_FEATURE_NAMES } from '../../src/virtio/transport-features.js';

const bits = (set: FeatureSet): number[] => set.bits();

describe('virtio/host-features (QEMU 7.2)', () => {
  describe('DEFINE_VIRTIO_COMMON_FEATURES', () => {
    const expected: [string, number, boolean][] = [
      ['indirect_desc', 28, true],
      ['event_idx', 29, true],
      ['notify_on_empty', 24, true],
      ['any_layout', 27, true],
      ['iommu_platform', 33, false],
      ['packed', 34, false],
      ['queue_reset', 40, true],
    ];
    it('lists the seven properties with their bits and defaults, in QEMU order', () => {
      assert.deepEqual(
        VIRTIO_COMMON_FEATURE_PROPERTIES.map((p) => [p.property, p.bit, p.default]),
        expected,
      );
    });

    it('defaults give bits 24, 27, 28, 29, 40', () => {
      assert.deepEqual(bits(commonHostFeatures()), [24, 27, 28, 29, 40]);
    });

    it('a property value overrides its default and leaves the others alone', () => {
      assert.deepEqual(bits(commonHostFeatures({ packed: true, event_idx: false })), [24, 27, 28, 34, 40]);
      assert.deepEqual(bits(commonHostFeatures({ iommu_platform: true })), [24, 27, 28, 29, 33, 40]);
      // hw_compat_7_1 sets queue_reset=false for pre-7.2 machine types.
      assert.deepEqual(bits(commonHostFeatures({ queue_reset: false })), [24, 27, 28, 29]);
    });
  });

  it('VIRTIO_LEGACY_FEATURES is BAD_FEATURE, NOTIFY_ON_EMPTY and ANY_LAYOUT', () => {
    assert.deepEqual(bits(VIRTIO_LEGACY_FEATURES), [24, 27, 30]);
  });

  describe('virtio_pci_pre_plugged', () => {
    it('a modern proxy adds VERSION_1 and BAD_FEATURE', () => {
      assert.deepEqual(bits(virtioPciPrePlug(FeatureSet.EMPTY, { modern: true })), [30, 32]);
    });
    it('a legacy-only proxy adds BAD_FEATURE alone', () => {
      assert.deepEqual(bits(virtioPciPrePlug(FeatureSet.EMPTY, { modern: false })), [30]);
    });
  });

  describe('a default virtio-mem-pci on QEMU 7.2.22 (observed with x-query-virtio-status)', () => {
    // virtio-mem's get_features adds ACPI_PXM on pc/q35; unplugged-inaccessible=auto resolves to
    // off for private anonymous RAM, so bit 1 stays clear.
    const host = virtioPciPrePlug(commonHostFeatures(), { modern: true }).with(VIRTIO_MEM_F_ACPI_PXM);

    it('host features are 0x10179000001', () => {
      assert.equal(host.word, 0x10179000001n);
    });

    it('the modern feature window hides the legacy bits', () => {
      assert.deepEqual(bits(modernDeviceFeatures(host)), [0, 28, 29, 32, 40]);
    });

    it('names every bit for display', () => {
      assert.deepEqual(featureNames(host, TRANSPORT_FEATURE_NAMES, VIRTIO_MEM_FEATURE_NAMES), [
        'VIRTIO_MEM_F_ACPI_PXM',
        'VIRTIO_F_NOTIFY_ON_EMPTY',
        'VIRTIO_F_ANY_LAYOUT',
        'VIRTIO_RING_F_INDIRECT_DESC',
        'VIRTIO_RING_F_EVENT_IDX',
        'VIRTIO_F_BAD_FEATURE',
        'VIRTIO_F_VERSION_1',
        'VIRTIO_F_RING_RESET',
      ]);
    });
  });

  describe('virtio-mem feature bits', () => {
    const expected: [string, number][] = [
      ['VIRTIO_MEM_F_ACPI_PXM', 0],
      ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE', 1],
      ['VIRTIO_MEM_F_PERSISTENT_SUSPEND', 2],
    ];
    it('are bits 0, 1, 2 with the uapi names', () => {
      assert.deepEqual(
        VIRTIO_MEM_FEATURE_NAMES.map((d) => [d.name, d.bit]),
        expected,
      );
    });
  });
});
