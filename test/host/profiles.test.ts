import assert from 'node:assert/strict';
import { isHotmemError } from '../../src/core/errors.js';
import { KERNEL_ERAS, S390X, X86_64, archProfile, hostErrors, kernelProfile, parseKernelVersion, type S390ZeropageEra } from '../../src/host/index.js';
import { GiB, KiB, MiB } from './fixtures.js';

describe('host/arch profiles', () => {
  it('x86_64: 4 KiB pages, 2 MiB PMDs, 4 KiB tables at every level', () => {
    assert.equal(X86_64.basePageSize, 4 * KiB);
    assert.equal(X86_64.pmdSize, 2 * MiB);
    assert.deepEqual([X86_64.pte.tableBytes, X86_64.pmd.tableBytes, X86_64.pud.tableBytes], [4 * KiB, 4 * KiB, 4 * KiB]);
    assert.deepEqual([X86_64.pte.covers, X86_64.pmd.covers, X86_64.pud.covers], [2 * MiB, 1 * GiB, 512 * GiB]);
    assert.equal(X86_64.pgsteBytesPerPteTable, 0);
  });

  it('s390x: 1 MiB segments, 2 KiB page tables, 16 KiB CRST tables, PGSTE halves', () => {
    assert.equal(S390X.pmdSize, 1 * MiB);
    assert.equal(S390X.pte.tableBytes, 2 * KiB);
    assert.equal(S390X.pmd.tableBytes, 16 * KiB);
    assert.equal(S390X.pud.covers, 4 * 1024 * GiB);
    assert.equal(S390X.pgsteBytesPerPteTable, 2 * KiB);
    // 0.195 % of what a table maps, doubled with PGSTEs (linux.md §3.3).
    assert.equal(S390X.pte.tableBytes / S390X.pte.covers, X86_64.pte.tableBytes / X86_64.pte.covers);
  });

  it('looks arches up by name and refuses others', () => {
    assert.equal(archProfile('s390x'), S390X);
    assert.throws(
      () => archProfile('aarch64'),
      (e: unknown) => isHotmemError(e, 'host.unknown-arch'),
    );
  });
});

describe('host/kernel profiles', () => {
  it('parses names and version strings', () => {
    assert.deepEqual(parseKernelVersion('linux-6.10'), [6, 10]);
    assert.deepEqual(parseKernelVersion('6.1.0-27-cloud-amd64'), [6, 1]);
    assert.deepEqual(parseKernelVersion('4.9.337'), [4, 9]);
    assert.equal(kernelProfile('6.10.3').name, 'linux-6.10');
    for (const bad of ['linux', 'v6.1', '6', 'linux-6.x']) {
      assert.throws(
        () => kernelProfile(bad),
        (e: unknown) => isHotmemError(e, 'host.unknown-kernel'),
        bad,
      );
    }
    assert.throws(
      () => kernelProfile('linux-3.10'),
      (e: unknown) => isHotmemError(e, 'host.kernel-too-old'),
    );
  });

  const eras: Array<[string, S390ZeropageEra, boolean]> = [
    ['linux-3.18', 'skeys-zap', true],
    ['linux-4.9', 'skeys-zap', true],
    ['linux-4.13', 'skeys-zap', true],
    ['linux-4.14', 'forbid-kvm', true],
    ['linux-4.17', 'forbid-kvm', true],
    ['linux-4.18', 'forbid-kvm', false],
    ['linux-6.9', 'forbid-kvm', false],
    ['linux-6.10', 'unshare', false],
    ['linux-6.14', 'unshare', false],
  ];
  for (const [name, era, cmmaDrops] of eras) {
    it(`${name}: s390 zeropage era ${era}, CMMA discards ${cmmaDrops ? 'ignore' : 'respect'} userfaultfd`, () => {
      const k = kernelProfile(name);
      assert.equal(k.s390Zeropage, era);
      assert.equal(k.cmmaDiscardWhileUffdArmed, cmmaDrops);
    });
  }

  const features: Array<[string, keyof ReturnType<typeof kernelProfile>, boolean]> = [
    ['linux-4.2', 'userfaultfd', false],
    ['linux-4.3', 'userfaultfd', true],
    ['linux-5.13', 'madvPopulate', false],
    ['linux-5.14', 'madvPopulate', true],
    ['linux-5.17', 'hugetlbDontneed', false],
    ['linux-5.18', 'hugetlbDontneed', true],
    ['linux-6.9', 'uffdZeropageHonoursForbid', false],
    ['linux-6.10', 'uffdZeropageHonoursForbid', true],
    ['linux-6.12', 'hugeZeroWriteAllocatesThp', false],
    ['linux-6.13', 'hugeZeroWriteAllocatesThp', true],
    ['linux-6.13', 'ptReclaim', false],
    ['linux-6.14', 'ptReclaim', true],
    ['linux-5.6', 'protectedVirtualization', false],
    ['linux-5.7', 'protectedVirtualization', true],
  ];
  for (const [name, field, value] of features) {
    it(`${name}: ${field} = ${String(value)}`, () => assert.equal(kernelProfile(name)[field], value));
  }

  it('offers uffd features by release', () => {
    assert.equal(kernelProfile('linux-4.3').uffdFeatures.size, 0);
    assert.ok(kernelProfile('linux-4.11').uffdFeatures.has('event-remove'));
    assert.ok(!kernelProfile('linux-4.11').uffdFeatures.has('sigbus'));
    assert.ok(kernelProfile('linux-6.8').uffdFeatures.has('move'));
  });

  it('takes host overrides (THP settings are host facts)', () => {
    const k = kernelProfile('linux-6.1', { thp: { enabled: 'madvise' }, s390Zeropage: 'unshare' });
    assert.equal(k.thp.enabled, 'madvise');
    assert.equal(k.thp.useZeroPage, true);
    assert.equal(k.s390Zeropage, 'unshare');
  });

  it('names every era the matrices use', () => {
    for (const name of KERNEL_ERAS) assert.equal(kernelProfile(name).name, name);
  });

  it('every error template renders', () => {
    for (const [code, template] of Object.entries(hostErrors.table)) {
      const text = (template as (a: Record<string, unknown>) => string)({
        name: 'x',
        known: ['a'],
        oldest: 'linux-3.18',
        what: 'size',
        size: 1,
        pageSize: 4096,
        arch: 'x86_64',
        sizes: [2 * MiB],
        value: 1,
        alignment: 4096,
        mapping: 'm',
        offset: 0,
        length: 1,
        object: 'o',
        wanted: 1,
        operation: 'op',
        kvm: false,
        tag: -1,
        mode: 'wp',
        id: 1,
        process: 'p',
        pid: 1,
        seed: 0.5,
      });
      assert.ok(text.length > 0 && !text.includes('undefined'), `${code}: ${text}`);
    }
  });
});
