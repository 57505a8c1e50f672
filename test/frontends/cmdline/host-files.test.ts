import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseCpuList, REAL_HOST_FILES, realHost } from '../../../src/frontends/cmdline/host-files.js';

describe('frontends/cmdline/host-files: backing stores on the real host', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotmem-host-files-'));
    writeFileSync(join(dir, 'ram'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // file_ram_open's outcome, told without creating anything.
  const CASES: ReadonlyArray<readonly [string, string, string]> = [
    ['an existing file', 'ram', 'file'],
    ['a missing file in a directory (created)', 'new-ram', 'file'],
    ['a directory (a temporary file in it)', '.', 'directory'],
    ['a file in a missing directory', 'missing/ram', 'ENOENT'],
    ['a file under a file', 'ram/x', 'ENOTDIR'],
  ];
  for (const [what, path, expected] of CASES) {
    it(`${what}: ${expected}`, () => {
      const store = REAL_HOST_FILES.backingStore!(join(dir, path));
      assert.equal(store.kind === 'error' ? store.errno : store.kind, expected);
      if (store.kind !== 'error') assert.notEqual(store.fs, 'hugetlbfs');
    });
  }

  it('creates nothing', () => {
    REAL_HOST_FILES.backingStore!(join(dir, 'new-ram'));
    assert.equal(existsSync(join(dir, 'new-ram')), false);
  });
});

describe('frontends/cmdline/host-files: a NUMA node cpulist', () => {
  const CASES: ReadonlyArray<readonly [string, number[]]> = [
    ['0-1\n', [0, 1]],
    ['0-3,8,10-11\n', [0, 1, 2, 3, 8, 10, 11]],
    ['\n', []],
  ];
  for (const [text, cpus] of CASES) it(JSON.stringify(text), () => assert.deepEqual(parseCpuList(text), cpus));
});

describe('frontends/cmdline/host-files: what vfio-pci finds on the real host', () => {
  it('stat: a directory or file exists, a missing path gives its errno', () => {
    assert.equal(REAL_HOST_FILES.stat!(tmpdir()), undefined);
    assert.equal(REAL_HOST_FILES.stat!(join(tmpdir(), 'hotmem-no-such-path', 'x')), 'ENOENT');
  });

  it("lists sysfs's PCI devices, with the IOMMU group where the iommu_group link names one", () => {
    const devices = realHost('x86_64').pciDevices;
    const listed = existsSync('/sys/bus/pci/devices') ? readdirSync('/sys/bus/pci/devices') : [];
    assert.deepEqual(
      devices.map((d) => d.address),
      listed,
    );
    for (const d of devices) {
      const link = `/sys/bus/pci/devices/${d.address}/iommu_group`;
      assert.equal(d.iommuGroup, existsSync(link) ? Number(basename(readlinkSync(link))) : undefined, d.address);
    }
  });
});
