import assert from 'node:assert/strict';
import type { MapSpec } from '../../src/host/index.js';
import { checkAccounting, MiB, mapOk, setup } from './fixtures.js';

const SIZE = 8 * MiB;

/** What mlockall leaves resident in each kind of mapping, and where the bytes are counted. */
const CASES: ReadonlyArray<{ readonly name: string; readonly spec: MapSpec; readonly resident: 'rssAnon' | 'rssShmem' | 'rssFile' | 'hugetlbPages' }> = [
  // GUP with FOLL_WRITE on a private writable mapping: real pages, not the zeropage.
  { name: 'private anonymous', spec: { kind: 'anon', size: SIZE, thp: 'hugepage' }, resident: 'rssAnon' },
  { name: 'shared anonymous', spec: { kind: 'anon', size: SIZE, shared: true }, resident: 'rssShmem' },
  { name: 'memfd', spec: { kind: 'memfd', size: SIZE }, resident: 'rssShmem' },
  { name: 'read-only private file', spec: { kind: 'file', path: '/var/lib/rom', fs: 'disk', size: SIZE, readonly: true }, resident: 'rssFile' },
  // Written through a private writable file mapping, every page is copied.
  { name: 'private file', spec: { kind: 'file', path: '/var/lib/ram', fs: 'disk', size: SIZE }, resident: 'rssAnon' },
  { name: 'shared hugetlbfs file', spec: { kind: 'file', path: '/dev/hugepages/ram', fs: 'hugetlbfs', size: SIZE, shared: true }, resident: 'hugetlbPages' },
];

describe('host/process mlockall', () => {
  for (const c of CASES) {
    it(`locks and populates a ${c.name} mapping already there (MCL_CURRENT)`, () => {
      const { host, proc } = setup();
      const m = mapOk(proc, c.spec);
      proc.mlockall({ onFault: false });
      const s = proc.status();
      assert.equal(s.vmLck, SIZE);
      assert.equal(s[c.resident], SIZE);
      assert.ok(m.locked);
      checkAccounting(host);
    });
  }

  it('locks and populates mappings made later (MCL_FUTURE), before preallocation', () => {
    const { proc } = setup();
    proc.mlockall({ onFault: false });
    const m = mapOk(proc, { kind: 'anon', size: SIZE, prealloc: true });
    assert.equal(proc.status().vmLck, SIZE);
    assert.equal(proc.status().rssAnon, SIZE);
    proc.unmap(m);
    assert.equal(proc.status().vmLck, 0);
  });

  it('MCL_ONFAULT locks without populating: VmLck counts the mapping, the pages come with faults', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: SIZE, thp: 'nohugepage' });
    proc.mlockall({ onFault: true });
    mapOk(proc, { kind: 'anon', size: SIZE });
    assert.deepEqual([proc.status().vmLck, proc.status().vmRss], [2 * SIZE, 0]);
    m.write(0, MiB, 1);
    assert.equal(proc.status().vmRss, MiB);
  });

  it('refuses MADV_DONTNEED and MADV_REMOVE on locked memory with EINVAL; a hole punch still frees it', () => {
    const { proc } = setup();
    const anon = mapOk(proc, { kind: 'anon', size: SIZE });
    const memfd = mapOk(proc, { kind: 'memfd', size: SIZE });
    proc.mlockall({ onFault: false });
    assert.deepEqual([anon.madvise(0, MiB, 'dontneed').kind, (anon.madvise(0, MiB, 'dontneed') as { errno?: string }).errno], ['error', 'EINVAL']);
    assert.equal((memfd.madvise(0, MiB, 'remove') as { errno?: string }).errno, 'EINVAL');
    assert.equal(memfd.punchHole(0, MiB).kind, 'done');
    assert.equal(proc.status().rssShmem, SIZE - MiB);
  });

  it('lets MADV_DONTNEED through on locked hugetlb memory where the kernel takes it (5.18+)', () => {
    const { proc } = setup({ kernel: 'linux-6.1' });
    const m = mapOk(proc, { kind: 'anon', size: SIZE, hugetlb: 2 * MiB });
    proc.mlockall({ onFault: false });
    assert.equal(m.madvise(0, 2 * MiB, 'dontneed').kind, 'done');
  });
});
