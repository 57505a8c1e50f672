import assert from 'node:assert/strict';
import { isHotmemError } from '../../../src/core/errors.js';
import { MiB } from '../../../src/core/units.js';
import {
  compareKernelVersions,
  kernelAtLeast,
  kernelVersion,
  kernelVersionName,
  LINUX_FACTS,
  linuxHas,
  virtioMemDriverExists,
  type LinuxFeature,
} from '../../../src/guest/linux/kernel-version.js';
import { driverRules } from '../../../src/guest/linux/virtio-mem/rules.js';
import { featureNames } from '../../../src/virtio/feature-set.js';
import { VIRTIO_MEM_FEATURE_NAMES } from '../../../devices/virtio-mem/features.js';

describe('guest/linux/kernel-version', () => {
  it('parses MAJOR.MINOR and orders numerically', () => {
    assert.equal(kernelVersionName(kernelVersion('6.13')), '6.13');
    assert.ok(compareKernelVersions(kernelVersion('5.8'), kernelVersion('5.16')) < 0);
    assert.ok(compareKernelVersions(kernelVersion('6.1'), kernelVersion('5.19')) > 0);
    assert.ok(kernelAtLeast(kernelVersion('6.10'), '6.9'));
    assert.throws(
      () => kernelVersion('6.1.0-56-cloud-amd64'),
      (e) => isHotmemError(e, 'guest.bad-kernel-version'),
    );
  });

  it('where the driver exists', () => {
    const table = (['5.7', '5.8', '6.12', '6.13'] as const).map((v) => [
      v,
      virtioMemDriverExists(kernelVersion(v), 'x86_64'),
      virtioMemDriverExists(kernelVersion(v), 's390x'),
    ]);
    assert.deepEqual(table, [
      ['5.7', false, false],
      ['5.8', true, false],
      ['6.12', true, false],
      ['6.13', true, true],
    ]);
  });

  it('the feature table by version and architecture', () => {
    const table = (v: string, arch: 'x86_64' | 's390x') => featureNames(driverRules(kernelVersion(v), arch).featureTable, VIRTIO_MEM_FEATURE_NAMES);
    assert.deepEqual(table('5.15', 'x86_64'), ['VIRTIO_MEM_F_ACPI_PXM']);
    assert.deepEqual(table('5.16', 'x86_64'), ['VIRTIO_MEM_F_ACPI_PXM', 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE']);
    assert.deepEqual(table('6.10', 'x86_64'), ['VIRTIO_MEM_F_ACPI_PXM', 'VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE', 'VIRTIO_MEM_F_PERSISTENT_SUSPEND']);
    assert.deepEqual(table('6.13', 's390x'), ['VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE', 'VIRTIO_MEM_F_PERSISTENT_SUSPEND']);
  });

  it('subblock floor and the other version switches', () => {
    const rules = (v: string) => driverRules(kernelVersion(v), 'x86_64');
    assert.equal(rules('5.18').subblockBase, 4 * MiB);
    assert.equal(rules('5.19').subblockBase, 2 * MiB);
    assert.equal(driverRules(kernelVersion('6.13'), 's390x').subblockBase, 1 * MiB);
    assert.deepEqual(
      ['5.10', '5.11', '5.13', '5.14', '5.15', '5.16'].map((v) => [v, rules(v).bigBlockMode, rules(v).zoneAware, rules(v).kdumpMode]),
      [
        ['5.10', false, false, false],
        ['5.11', true, false, false],
        ['5.13', true, false, false],
        ['5.14', true, true, false],
        ['5.15', true, true, false],
        ['5.16', true, true, true],
      ],
    );
    assert.equal(driverRules(kernelVersion('6.14'), 's390x').vmcoreDeviceRam, true);
    assert.equal(driverRules(kernelVersion('6.14'), 'x86_64').vmcoreDeviceRam, false);
    assert.ok(linuxHas(kernelVersion('6.10'), 'persistent-suspend'));
  });

  it('every fact holds from its first release on, and not in the release before', () => {
    for (const [feature, fact] of Object.entries(LINUX_FACTS) as [LinuxFeature, (typeof LINUX_FACTS)[LinuxFeature]][]) {
      const since = kernelVersion(fact.since);
      const before = since.minor > 0 ? { major: since.major, minor: since.minor - 1 } : { major: since.major - 1, minor: 19 };
      assert.equal(linuxHas(since, feature), true, `${feature} in ${fact.since}`);
      assert.equal(linuxHas({ major: since.major, minor: since.minor + 1 }, feature), true, `${feature} after ${fact.since}`);
      assert.equal(linuxHas(before, feature), false, `${feature} before ${fact.since}`);
    }
  });
});
