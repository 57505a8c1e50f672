import assert from 'node:assert/strict';
import { VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_PERSISTENT_SUSPEND, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { FeatureSet, featureNames } from '../../../src/virtio/feature-set.js';
import { statusNames } from '../../../src/virtio/status.js';
import { VIRTIO_MEM_FEATURE_NAMES } from '../../../devices/virtio-mem/features.js';
import { bootGuest, messages } from './fixtures.js';

const UI = VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
const PXM = VIRTIO_MEM_F_ACPI_PXM;
const PS = VIRTIO_MEM_F_PERSISTENT_SUSPEND;
const DEVICE = { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 2 * MiB };

/**
 * QEMU's unplugged-inaccessible setting as the guest sees it: `on` offers bit 1, `off` does not,
 * `auto` is resolved at realize (qemu.md; linux.md §2.2): off only for private anonymous memory
 * with base pages (a guaranteed shared zeropage), on for shmem/hugetlb/file backends.
 */
const SETTINGS = [
  ['off', FeatureSet.EMPTY],
  ['on', FeatureSet.of(UI)],
  ['auto, anonymous private RAM', FeatureSet.EMPTY],
  ['auto, shmem or hugetlb', FeatureSet.of(UI)],
] as const;

const names = (s: FeatureSet) => featureNames(s, VIRTIO_MEM_FEATURE_NAMES).filter((n) => n.startsWith('VIRTIO_MEM'));

describe('guest/linux/virtio-mem probe and negotiation', () => {
  describe('x86_64, unplugged-inaccessible on/off/auto, with and without ACPI_PXM', () => {
    const kernels = ['5.7', '5.8', '5.15', '5.16', '6.1', '6.13'];
    for (const kernel of kernels) {
      for (const [setting, ui] of SETTINGS) {
        for (const pxm of [false, true]) {
          const offered = pxm ? ui.with(PXM) : ui;
          it(`Linux ${kernel}, ${setting}${pxm ? ', ACPI_PXM' : ''}`, () => {
            const g = bootGuest({ kernel, device: { ...DEVICE, deviceFeatures: offered } });
            const legacy = kernel === '5.8' || kernel === '5.15';
            if (kernel === '5.7') {
              // No driver: the virtio core still resets and acknowledges the device.
              assert.equal(g.probe.kind, 'no-driver');
              assert.deepEqual(statusNames(g.device.readStatus()), ['ACKNOWLEDGE']);
              assert.deepEqual(g.driver.logLines(), []);
              return;
            }
            if (legacy && ui.has(UI)) {
              assert.equal(g.probe.kind, 'features-refused');
              assert.deepEqual(g.driver.logLines(), ['virtio_mem virtio0: virtio: device refuses features: 3']);
              assert.deepEqual(statusNames(g.device.readStatus()), ['ACKNOWLEDGE', 'DRIVER', 'FAILED']);
              assert.deepEqual(names(g.device.driverFeatures()), pxm ? ['VIRTIO_MEM_F_ACPI_PXM'] : []);
              g.scheduler.runUntilIdle();
              assert.deepEqual(g.driver.requests(), []);
              return;
            }
            assert.equal(g.probe.kind, 'hotplug');
            assert.deepEqual(statusNames(g.device.readStatus()), ['ACKNOWLEDGE', 'DRIVER', 'DRIVER_OK', 'FEATURES_OK']);
            assert.deepEqual(names(g.device.driverFeatures()), names(offered));
          });
        }
      }
    }
  });

  it('Linux 6.1 acks what the real guest acked of QEMU 7.2 virtio-mem-pci: bits 0, 1, 28, 29, 32, 40', () => {
    const offered = FeatureSet.fromWord((1n << 0n) | (1n << 1n) | (1n << 24n) | (1n << 27n) | (1n << 28n) | (1n << 29n) | (1n << 32n) | (1n << 40n));
    const acked = (kernel: string) =>
      bootGuest({ kernel, device: { ...DEVICE, deviceFeatures: offered } })
        .device.driverFeatures()
        .bits();
    assert.deepEqual(acked('6.1'), [0, 1, 28, 29, 32, 40]);
    assert.deepEqual(acked('5.19'), [0, 1, 28, 29, 32]);
  });

  it('PERSISTENT_SUSPEND is acked from 6.10 on', () => {
    const offered = FeatureSet.of(UI, PS);
    const acked = (kernel: string) => names(bootGuest({ kernel, device: { ...DEVICE, deviceFeatures: offered } }).device.driverFeatures());
    assert.deepEqual(acked('6.9'), ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE']);
    assert.deepEqual(acked('6.10'), ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE', 'VIRTIO_MEM_F_PERSISTENT_SUSPEND']);
  });

  it('s390x: no driver before 6.13; 6.13 never acks ACPI_PXM (no ACPI NUMA) and accepts UNPLUGGED_INACCESSIBLE', () => {
    const device = { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 1 * MiB, deviceFeatures: FeatureSet.of(UI, PXM) };
    assert.equal(bootGuest({ kernel: '6.12', arch: 's390x', device }).probe.kind, 'no-driver');
    const g = bootGuest({ kernel: '6.13', arch: 's390x', device });
    assert.equal(g.probe.kind, 'hotplug');
    assert.deepEqual(names(g.device.driverFeatures()), ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE']);
    assert.deepEqual(messages(g.driver), [
      'start address: 0x100000000',
      'region size: 0x100000000',
      'device block size: 0x100000',
      'memory block size: 0x10000000',
      'subblock size: 0x100000',
    ]);
  });

  describe('init log lines by version', () => {
    const cases: [string, string[]][] = [
      [
        '5.8',
        ['start address: 0x100000000', 'region size: 0x100000000', 'device block size: 0x200000', 'memory block size: 0x8000000', 'subblock size: 0x400000'],
      ],
      [
        '5.15',
        [
          'start address: 0x100000000',
          'region size: 0x100000000',
          'device block size: 0x200000',
          'memory block size: 0x8000000',
          'subblock size: 0x400000',
          'nid: 0',
        ],
      ],
      [
        '6.1',
        [
          'start address: 0x100000000',
          'region size: 0x100000000',
          'device block size: 0x200000',
          'nid: 0',
          'memory block size: 0x8000000',
          'subblock size: 0x200000',
        ],
      ],
    ];
    for (const [kernel, lines] of cases) {
      it(`Linux ${kernel}, then the first work run`, () => {
        const g = bootGuest({ kernel, device: { ...DEVICE, requestedSize: 0 } });
        assert.deepEqual(messages(g.driver), lines);
        g.scheduler.runUntilIdle();
        assert.deepEqual(messages(g.driver), [...lines, 'plugged size: 0x0', 'requested size: 0x0']);
      });
    }

    it('5.8-5.10 print the nid only when ACPI_PXM resolves to a node', () => {
      const numa = { pxmToNode: new Map([[1, 3]]), nodeOfDeviceAddress: 0 };
      const g = bootGuest({ kernel: '5.8', numa, device: { ...DEVICE, nodeId: 1, deviceFeatures: FeatureSet.of(PXM) } });
      assert.equal(messages(g.driver).at(-1), 'nid: 3');
      const h = bootGuest({ kernel: '5.8', numa, device: { ...DEVICE, nodeId: 2, deviceFeatures: FeatureSet.of(PXM) } });
      assert.equal(messages(h.driver).at(-1), 'subblock size: 0x400000');
      const later = bootGuest({ kernel: '6.1', numa, device: { ...DEVICE, nodeId: 1, deviceFeatures: FeatureSet.of(PXM) } });
      assert.equal(messages(later.driver)[3], 'nid: 3');
    });

    it('misaligned start and end warn, and BBM names the big block', () => {
      const g = bootGuest({ kernel: '6.1', device: { addr: 4 * GiB + 64 * MiB, regionSize: 4 * GiB, blockSize: 1 * GiB } });
      assert.deepEqual(
        g.driver.log().flatMap((e) => (e.kind === 'dmesg' && e.level === 'warn' ? [e.text] : [])),
        [
          'virtio_mem virtio0: The alignment of the physical start address can make some memory unusable.',
          'virtio_mem virtio0: The alignment of the physical end address can make some memory unusable.',
        ],
      );
      assert.equal(messages(g.driver).at(-1), 'big block size: 0x40000000');
    });

    it('bbm_block_size: not a power of two, too small, or taken', () => {
      const last = (bbmBlockSize: number) =>
        messages(bootGuest({ kernel: '6.1', moduleParams: { forceBbm: true, bbmBlockSize }, device: DEVICE }).driver).slice(-3);
      assert.deepEqual(last(3 * MiB), ['bbm_block_size is not a power of 2', 'memory block size: 0x8000000', 'big block size: 0x8000000']);
      assert.deepEqual(last(64 * MiB), ['bbm_block_size is too small', 'memory block size: 0x8000000', 'big block size: 0x8000000']);
      assert.deepEqual(last(1 * GiB).slice(-1), ['big block size: 0x40000000']);
    });
  });

  it('5.8-5.10 refuse device blocks bigger than a memory block', () => {
    const g = bootGuest({ kernel: '5.10', device: { ...DEVICE, blockSize: 1 * GiB } });
    assert.deepEqual(g.probe, { kind: 'init-failed', errno: 'EINVAL', reason: 'block-size-too-big' });
    assert.deepEqual(g.driver.logLines(), [
      'virtio_mem virtio0: The block size is not supported (too big).',
      'virtio_mem: probe of virtio0 failed with error -22',
    ]);
    assert.deepEqual(statusNames(g.device.readStatus()), ['ACKNOWLEDGE', 'DRIVER', 'FEATURES_OK', 'FAILED']);
    assert.equal(bootGuest({ kernel: '5.11', device: { ...DEVICE, blockSize: 1 * GiB } }).probe.kind, 'hotplug');
  });

  it('the log sink sees every entry; a second probe is a caller bug', () => {
    const g = bootGuest({ kernel: '6.1', device: DEVICE });
    g.scheduler.runUntilIdle();
    assert.deepEqual(g.entries, g.driver.log());
    assert.ok(g.entries.every((e) => e.kind === 'dmesg' && e.level === 'info' && e.at === 0));
    assert.throws(() => g.driver.probe(), /probed already/);
  });

  it('memory still plugged at probe: UNPLUG_ALL before anything else', () => {
    const g = bootGuest({ kernel: '6.1', device: { ...DEVICE, requestedSize: 0, pluggedBlocks: [0, 1, 2] } });
    assert.equal(messages(g.driver).at(-1), 'unplugging all memory is required');
    g.scheduler.runUntilIdle();
    assert.equal(g.driver.requests()[0]?.request.kind, 'unplug-all');
    assert.equal(g.device.pluggedSize(), 0);
    assert.deepEqual(messages(g.driver).slice(-2), ['plugged size: 0x0', 'requested size: 0x0']);
  });
});
