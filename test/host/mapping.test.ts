import assert from 'node:assert/strict';
import { isHotmemError } from '../../src/core/errors.js';
import { kernelProfile, type Errno, type MapSpec, type Mapping } from '../../src/host/index.js';
import { GiB, MiB, PAGE, checkAccounting, mapOk, setup } from './fixtures.js';

const SIZE = 64 * MiB;
const W = 2 * MiB;

/**
 * One row per mapping kind: what reading all of it, writing its first 2 MiB, and each discard
 * cost on Linux 6.1 x86_64 (THP enabled=always, use_zero_page=1).
 */
interface KindRow {
  readonly name: string;
  readonly spec: MapSpec;
  /** Bytes read-all adds to [RssAnon, RssShmem, RssFile, HugetlbPages]. */
  readonly read: readonly [number, number, number, number];
  /** Same for writing the first 2 MiB after that. */
  readonly write: readonly [number, number, number, number];
  /** Host bytes (page tables aside) a discard of everything gives back after read + write, or its errno. */
  readonly dontneed: number | Errno;
  readonly remove: number | Errno;
  readonly punch: number | Errno;
}

const rows: KindRow[] = [
  {
    name: 'private anonymous, THP off',
    spec: { kind: 'anon', size: SIZE, thp: 'nohugepage' },
    read: [0, 0, 0, 0],
    write: [W, 0, 0, 0],
    dontneed: -W,
    remove: 'EINVAL',
    punch: 'EBADF',
  },
  {
    name: 'private anonymous, THP (huge zeropage, split on write before 6.13)',
    spec: { kind: 'anon', size: SIZE, thp: 'hugepage' },
    read: [0, 0, 0, 0],
    write: [W, 0, 0, 0],
    dontneed: -W,
    remove: 'EINVAL',
    punch: 'EBADF',
  },
  {
    name: 'shared anonymous (shmem without an fd)',
    spec: { kind: 'anon', shared: true, size: SIZE },
    read: [0, SIZE, 0, 0],
    write: [0, 0, 0, 0],
    dontneed: 0,
    remove: -SIZE,
    punch: 'EBADF',
  },
  {
    name: 'memfd, shared',
    spec: { kind: 'memfd', size: SIZE },
    read: [0, SIZE, 0, 0],
    write: [0, 0, 0, 0],
    dontneed: 0,
    remove: -SIZE,
    punch: -SIZE,
  },
  {
    name: 'memfd, private (page cache populated, then copied)',
    spec: { kind: 'memfd', shared: false, size: SIZE },
    read: [0, SIZE, 0, 0],
    write: [W, -W, 0, 0],
    dontneed: -W,
    remove: 'EACCES',
    punch: -SIZE,
  },
  {
    name: 'tmpfs file, shared',
    spec: { kind: 'file', path: '/dev/shm/vm', fs: 'tmpfs', shared: true, size: SIZE },
    read: [0, SIZE, 0, 0],
    write: [0, 0, 0, 0],
    dontneed: 0,
    remove: -SIZE,
    punch: -SIZE,
  },
  {
    name: 'disk file, private',
    spec: { kind: 'file', path: '/var/lib/vm.raw', fs: 'disk', size: SIZE },
    read: [0, 0, SIZE, 0],
    write: [W, 0, -W, 0],
    dontneed: -W,
    remove: 'EACCES',
    punch: -SIZE,
  },
  {
    name: 'hugetlb 2 MiB, private anonymous',
    spec: { kind: 'anon', hugetlb: 2 * MiB, size: SIZE },
    read: [0, 0, 0, SIZE],
    write: [0, 0, 0, 0],
    dontneed: -SIZE,
    remove: 'EINVAL',
    punch: 'EBADF',
  },
  {
    name: 'hugetlb 2 MiB memfd, shared',
    spec: { kind: 'memfd', hugetlb: 2 * MiB, size: SIZE },
    read: [0, 0, 0, SIZE],
    write: [0, 0, 0, 0],
    dontneed: 0,
    remove: -SIZE,
    punch: -SIZE,
  },
  {
    name: 'hugetlb 1 GiB hugetlbfs file, shared',
    spec: { kind: 'file', path: '/dev/hugepages1G/vm', fs: 'hugetlbfs', hugetlb: GiB, shared: true, size: 2 * GiB },
    read: [0, 0, 0, 2 * GiB],
    write: [0, 0, 0, 0],
    dontneed: 0,
    remove: -2 * GiB,
    punch: -2 * GiB,
  },
];

const rssOf = (d: { rssAnon: number; rssShmem: number; rssFile: number; hugetlb: number }) => [d.rssAnon, d.rssShmem, d.rssFile, d.hugetlb];

/** Kernels the rows run on; what differs between them is in `expectFor`. */
const ERAS = ['linux-4.19', 'linux-5.15', 'linux-6.1', 'linux-6.14'] as const;

/** MADV_DONTNEED on hugetlb is EINVAL before 5.18; everything else in the rows holds on every era. */
const expectFor = (row: KindRow, kernel: string, op: 'dontneed' | 'remove' | 'punch'): number | Errno =>
  op === 'dontneed' && row.read[3] > 0 && !kernelProfile(kernel).hugetlbDontneed ? 'EINVAL' : row[op];

function prepared(row: KindRow, kernel: string): { m: Mapping; host: ReturnType<typeof setup>['host'] } {
  const { host, proc } = setup({ kernel });
  const m = mapOk(proc, row.spec);
  m.read(0, m.size);
  m.write(0, W, 9);
  return { m, host };
}

for (const kernel of ERAS) {
  describe(`host/mapping by kind (${kernel}, x86_64)`, () => {
    for (const row of rows) {
      describe(row.name, () => {
        it('reading everything, then writing 2 MiB, costs what Linux charges', () => {
          const { host, proc } = setup({ kernel });
          const m = mapOk(proc, row.spec);
          const r = m.read(0, m.size);
          assert.equal(r.kind, 'done');
          assert.deepEqual(rssOf(r.delta), [...row.read]);
          const w = m.write(0, W, 9);
          assert.equal(w.kind, 'done');
          assert.deepEqual(rssOf(w.delta), [...row.write]);
          assert.equal(m.contentAt(0), 9);
          assert.equal(m.contentAt(W - PAGE), 9);
          // Content is kept per page of the mapping: a 1 GiB huge page is one page.
          assert.equal(m.contentAt(W), m.pageSize > W ? 9 : 0);
          checkAccounting(host);
        });

        for (const op of ['dontneed', 'remove', 'punch'] as const) {
          const expected = expectFor(row, kernel, op);
          it(`${op} of everything: ${typeof expected === 'number' ? `host ${expected / MiB} MiB` : expected}`, () => {
            const { m, host } = prepared(row, kernel);
            const out = op === 'punch' ? m.punchHole(0, m.size) : m.madvise(0, m.size, op);
            if (typeof expected === 'string') {
              assert.equal(out.kind, 'error');
              assert.equal((out as { errno: Errno }).errno, expected);
              assert.equal(out.delta.host, 0);
            } else {
              assert.equal(out.kind, 'done');
              assert.equal(out.delta.host - out.delta.pageTables, expected);
            }
            checkAccounting(host);
          });
        }

        it('a discard keeps the content outside its range', () => {
          const { m, host } = prepared(row, kernel);
          const from = m.pageSize * Math.ceil(W / m.pageSize);
          const out = m.punchHole(from, m.size - from);
          const dontneed = m.madvise(from, m.size - from, 'dontneed');
          assert.ok(out.kind === 'done' || dontneed.kind === 'done' || expectFor(row, kernel, 'dontneed') === 'EINVAL');
          assert.equal(m.contentAt(0), 9);
          checkAccounting(host);
        });
      });
    }
  });
}

describe('host/mapping details', () => {
  it('the huge zeropage costs no RSS but still a deposited PTE table per PMD (linux.md §9.1)', () => {
    const { proc } = setup({ kernel: 'linux-6.1' });
    const m = mapOk(proc, { kind: 'anon', size: GiB, thp: 'hugepage' });
    const out = m.read(0, GiB);
    assert.equal(out.faults.hugeZeropage, 512);
    assert.equal(out.delta.rssAnon, 0);
    // 512 PTE tables + one PMD table + one PUD table
    assert.equal(out.delta.vmPte, 512 * 4096 + 4096 + 4096);
    assert.equal(m.stateCounts()['huge-zeropage'], GiB / PAGE);
    // zap_huge_pmd() withdraws and frees the deposited table with the PMD; PMD/PUD tables stay.
    const d = m.madvise(0, GiB, 'dontneed');
    assert.equal(d.delta.vmPte, -512 * 4096);
    assert.equal(proc.status().vmPte, 2 * 4096);
  });

  it('a read fault in a THP-able range allocates a THP when use_zero_page is 0', () => {
    const { proc } = setup({ kernel: 'linux-6.1', kernelOverrides: { thp: { useZeroPage: false } } });
    const m = mapOk(proc, { kind: 'anon', size: 8 * MiB });
    assert.equal(m.hasSharedZeropage, true);
    assert.equal(m.readMapsZeropage, false);
    const out = m.read(0, PAGE);
    assert.equal(out.faults.thp, 1);
    assert.equal(out.delta.rssAnon, 2 * MiB);
    assert.equal(proc.status().anonHugePages, 2 * MiB);
  });

  it('writing 4 KiB into a huge zero PMD: split and COW before 6.13, a whole THP from 6.13', () => {
    for (const [kernel, rss] of [
      ['linux-6.12', PAGE],
      ['linux-6.13', 2 * MiB],
    ] as const) {
      const { proc } = setup({ kernel });
      const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
      m.read(0, m.size);
      const out = m.write(PAGE, PAGE, 1);
      assert.equal(out.delta.rssAnon, rss, kernel);
      assert.equal(m.contentAt(PAGE), 1);
      assert.equal(m.contentAt(0), 0);
    }
  });

  it('a 4 KiB write fault on an empty PMD takes a THP, but not once a PTE table is there', () => {
    const { proc } = setup({ kernel: 'linux-6.1' });
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    assert.equal(m.write(0, PAGE, 3).delta.rssAnon, 2 * MiB);
    // Zapping part of the THP splits the PMD: the PTE table stays, so the refault is 4 KiB.
    m.madvise(0, PAGE, 'dontneed');
    assert.equal(m.write(0, PAGE, 3).delta.rssAnon, PAGE);
    // Zapping a whole THP frees its deposited table: the PMD is empty again and takes a THP.
    assert.equal(m.write(2 * MiB, PAGE, 3).delta.rssAnon, 2 * MiB);
    m.madvise(2 * MiB, 2 * MiB, 'dontneed');
    assert.equal(m.pteTables, 1);
    assert.equal(m.write(2 * MiB, PAGE, 3).delta.rssAnon, 2 * MiB);
  });

  it('discarding 4 KiB of a THP only splits it: RSS drops, the memory waits for the deferred split', () => {
    const { host, proc } = setup({ kernel: 'linux-6.1' });
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    m.write(0, 4 * MiB, 5);
    const d = m.madvise(0, PAGE, 'dontneed');
    assert.equal(d.delta.rssAnon, -PAGE);
    assert.equal(d.delta.host, 0, 'the THP is still allocated');
    assert.equal(proc.status().thpDeferredSplitBytes, PAGE);
    assert.equal(proc.status().anonHugePages, 2 * MiB, 'the other THP is still PMD-mapped');
    assert.equal(m.contentAt(PAGE), 5);
    checkAccounting(host);
    const r = host.reclaim();
    assert.equal(r.deferredSplitFreedBytes, PAGE);
    assert.equal(r.hostDelta, -PAGE);
    assert.equal(proc.status().thpDeferredSplitBytes, 0);
    assert.equal(m.contentAt(PAGE), 5);
    checkAccounting(host);
  });

  it('empty PTE tables stay after MADV_DONTNEED until 6.14 (PT_RECLAIM, x86_64 only, whole PMDs)', () => {
    for (const [arch, kernel, freed] of [
      ['x86_64', 'linux-6.13', 0],
      ['x86_64', 'linux-6.14', 16],
      ['s390x', 'linux-6.14', 0],
    ] as const) {
      const { proc } = setup({ arch, kernel });
      const m = mapOk(proc, { kind: 'anon', size: 16 * proc.host.arch.pmdSize, thp: 'nohugepage' });
      m.read(0, m.size);
      const tables = m.pteTables;
      m.madvise(0, m.size - PAGE, 'dontneed');
      const partial = m.pteTables;
      const out = m.madvise(0, m.size, 'dontneed');
      assert.equal(tables - m.pteTables, freed, `${arch} ${kernel}`);
      assert.equal(out.delta.vmPte, (m.pteTables - partial) * proc.host.arch.pte.tableBytes);
    }
  });

  it('shared memory keeps its page cache after MADV_DONTNEED; a second process sees the data', () => {
    const { host, proc } = setup();
    const memfd = host.createMemfd({ name: 'vm', size: 8 * MiB });
    const a = mapOk(proc, { kind: 'object', object: memfd, shared: true, size: 8 * MiB });
    a.write(0, 8 * MiB, 77);
    a.madvise(0, 8 * MiB, 'dontneed');
    assert.equal(proc.status().rssShmem, 0);
    assert.equal(host.meminfo().shmem, 8 * MiB);
    const other = host.spawn({ name: 'vhost-user' });
    const b = mapOk(other, { kind: 'object', object: memfd, shared: true, size: 4 * MiB, offset: 4 * MiB });
    const r = b.read(0, 4 * MiB);
    assert.equal(r.faults.cache, 1024);
    assert.equal(r.faults.cacheAlloc, 0);
    assert.equal(b.contentAt(0), 77);
    // A hole punched through one process unmaps the pages from the other.
    a.punchHole(4 * MiB, 2 * MiB);
    assert.equal(other.status().rssShmem, 2 * MiB);
    assert.equal(host.meminfo().shmem, 6 * MiB);
    assert.equal(b.contentAt(0), 0);
    checkAccounting(host, [memfd]);
  });

  it('a hole punched in a private file mapping keeps the private copies', () => {
    const { host, proc } = setup();
    const m = mapOk(proc, { kind: 'memfd', shared: false, size: 4 * MiB });
    m.write(0, PAGE, 3);
    m.read(PAGE, 4 * MiB - PAGE);
    const out = m.punchHole(0, 4 * MiB);
    assert.equal(out.delta.rssShmem, -(4 * MiB - PAGE));
    assert.equal(out.delta.rssAnon, 0);
    assert.equal(m.contentAt(0), 3);
    checkAccounting(host);
  });

  it('MADV_POPULATE_* exist from 5.14; populate never changes content', () => {
    const old = setup({ kernel: 'linux-5.10' });
    const m0 = mapOk(old.proc, { kind: 'anon', size: 4 * MiB });
    const e = m0.populate(0, 4 * MiB, 'write');
    assert.equal(e.kind, 'error');
    assert.equal((e as { errno: Errno }).errno, 'EINVAL');
    const { proc } = setup({ kernel: 'linux-5.15' });
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB, thp: 'nohugepage' });
    m.write(0, PAGE, 42);
    assert.equal(m.populate(0, 4 * MiB, 'read').delta.rssAnon, 0);
    const w = m.populate(0, 4 * MiB, 'write');
    assert.equal(w.delta.rssAnon, 4 * MiB - PAGE);
    assert.equal(w.faults.cow, 1023);
    assert.equal(m.contentAt(0), 42);
  });

  it('prealloc populates at mmap; before 5.14 QEMU touches the pages instead', () => {
    for (const kernel of ['linux-5.10', 'linux-6.1']) {
      const { proc } = setup({ kernel });
      const out = proc.map({ kind: 'memfd', size: 16 * MiB, prealloc: true });
      assert.equal(out.kind, 'done');
      assert.equal(out.delta.rssShmem, 16 * MiB, kernel);
    }
    // Touching reads first: on THP memory the huge zeropage is mapped, then split by the write.
    for (const [kernel, thp] of [
      ['linux-5.10', 0],
      ['linux-6.1', 16 * MiB],
    ] as const) {
      const { proc } = setup({ kernel });
      const out = proc.map({ kind: 'anon', size: 16 * MiB, prealloc: true });
      assert.equal(out.delta.rssAnon, 16 * MiB, kernel);
      assert.equal(proc.status().anonHugePages, thp, kernel);
    }
  });

  it('touch() keeps content, unlike a write', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'memfd', size: 4 * MiB });
    m.write(0, PAGE, 6);
    const out = m.touch(0, 4 * MiB);
    assert.equal(out.kind, 'done');
    assert.equal(m.contentAt(0), 6);
    assert.equal(out.faults.cacheAlloc, 1023);
  });

  it('a hugetlb pool that runs dry: ENOMEM at mmap, SIGBUS on faults, EFAULT for prealloc', () => {
    const small = { hugetlbPages: { [2 * MiB]: 4 } };
    const a = setup(small);
    assert.deepEqual(
      (({ kind, errno }) => ({ kind, errno }))(a.proc.map({ kind: 'anon', hugetlb: 2 * MiB, size: 16 * MiB }) as { kind: string; errno: string }),
      { kind: 'error', errno: 'ENOMEM' },
    );
    const m = mapOk(a.proc, { kind: 'anon', hugetlb: 2 * MiB, size: 16 * MiB, reserve: false });
    const r = m.read(0, 16 * MiB);
    assert.equal(r.kind, 'sigbus');
    assert.equal((r as { offset: number }).offset, 8 * MiB);
    assert.equal(r.delta.hugetlb, 8 * MiB);
    assert.equal(a.host.hugetlbPool(2 * MiB).free, 0);
    const b = setup(small);
    const p = b.proc.map({ kind: 'memfd', hugetlb: 2 * MiB, size: 16 * MiB, reserve: false, prealloc: true });
    assert.deepEqual([p.kind, (p as { errno?: string }).errno, (p as { stage?: string }).stage], ['error', 'EFAULT', 'prealloc']);
    assert.equal(b.proc.mappings.length, 0);
    const c = setup(small);
    const ok = mapOk(c.proc, { kind: 'anon', hugetlb: 2 * MiB, size: 8 * MiB });
    assert.equal(c.host.hugetlbPool(2 * MiB).reserved, 4);
    ok.read(0, 4 * MiB);
    assert.equal(c.host.hugetlbPool(2 * MiB).reserved, 2);
    c.proc.unmap(ok);
    assert.deepEqual(c.host.hugetlbPool(2 * MiB), { total: 4, free: 4, reserved: 0 });
  });

  it('MADV_DONTNEED on hugetlb needs 5.18', () => {
    const { proc } = setup({ kernel: 'linux-5.15' });
    const m = mapOk(proc, { kind: 'anon', hugetlb: 2 * MiB, size: 8 * MiB });
    m.read(0, m.size);
    const out = m.madvise(0, m.size, 'dontneed');
    assert.deepEqual([out.kind, (out as { errno?: string }).errno], ['error', 'EINVAL']);
  });

  it('a read-only mapping refuses writes (SIGSEGV) and MADV_POPULATE_WRITE (EINVAL)', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'file', path: '/roms/bios', fs: 'disk', size: 4 * MiB, readonly: true, shared: true });
    assert.equal(m.write(0, PAGE, 1).kind, 'sigsegv');
    const p = m.populate(0, PAGE, 'write');
    assert.deepEqual([p.kind, (p as { errno?: string }).errno], ['error', 'EINVAL']);
    assert.equal(m.punchHole(0, 4 * MiB).kind, 'error');
  });

  it('reports content runs as the process would read them', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'memfd', shared: false, size: 4 * MiB });
    m.write(PAGE, 2 * PAGE, 8);
    assert.deepEqual(m.contentRuns(0, 4 * PAGE), [
      { offset: 0, length: PAGE, tag: 0 },
      { offset: PAGE, length: 2 * PAGE, tag: 8 },
      { offset: 3 * PAGE, length: PAGE, tag: 0 },
    ]);
  });

  it('caller bugs throw: ranges outside the mapping, misaligned discards, bad sizes', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const h = mapOk(proc, { kind: 'anon', hugetlb: 2 * MiB, size: 4 * MiB });
    const code = (c: string) => (e: unknown) => isHotmemError(e, c);
    assert.throws(() => m.read(4 * MiB, PAGE), code('host.out-of-range'));
    assert.throws(() => m.read(1, PAGE), code('host.misaligned'));
    assert.throws(() => m.madvise(0, 100, 'dontneed'), code('host.misaligned'));
    assert.throws(() => h.madvise(PAGE, 2 * MiB, 'dontneed'), code('host.misaligned'));
    assert.throws(() => m.write(0, PAGE, -1), code('host.bad-tag'));
    assert.throws(() => proc.map({ kind: 'anon', size: 1000 }), code('host.bad-size'));
    assert.throws(() => proc.map({ kind: 'anon', hugetlb: 4 * MiB, size: 4 * MiB }), code('host.hugetlb-size-unsupported'));
    assert.throws(() => m.cmmaSetUsage(0, PAGE, 'unused'), code('host.needs-s390-kvm'));
    proc.unmap(m);
    assert.throws(() => m.read(0, PAGE), code('host.unmapped'));
    // A hugetlb access inside a huge page is fine: the whole huge page faults.
    assert.equal(h.read(PAGE, PAGE).delta.hugetlb, 2 * MiB);
  });

  it('munmap frees pages and page tables; the page cache stays with its object', () => {
    const { host, proc } = setup();
    const memfd = host.createMemfd({ size: 8 * MiB });
    const a = mapOk(proc, { kind: 'anon', size: 8 * MiB, thp: 'nohugepage' });
    const b = mapOk(proc, { kind: 'object', object: memfd, shared: true, size: 8 * MiB });
    a.write(0, 8 * MiB, 1);
    b.write(0, 8 * MiB, 1);
    proc.unmap(a);
    const out = proc.unmap(b);
    assert.equal(out.delta.rssShmem, -8 * MiB);
    assert.deepEqual(proc.status(), {
      vmSize: 0,
      vmLck: 0,
      vmRss: 0,
      rssAnon: 0,
      rssFile: 0,
      rssShmem: 0,
      vmPte: 0,
      hugetlbPages: 0,
      anonHugePages: 0,
      pageTableBytes: 0,
      thpDeferredSplitBytes: 0,
    });
    assert.equal(host.meminfo().total, 8 * MiB);
  });
});
