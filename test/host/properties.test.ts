/**
 * Invariants under random operation sequences, on every architecture, era and mapping kind:
 * - the running counters equal the pages the mappings and objects hold (RSS, VmPTE, host total);
 * - a read of memory with a usable shared zeropage never raises RSS;
 * - a discard never loses a page or its content outside its range.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KERNEL_ERAS, type Mapping, type MapSpec, type Userfaultfd } from '../../src/host/index.js';
import { checkAccounting, mapOk, setup } from './fixtures.js';

type Kind = 'anon' | 'anon-4k' | 'anon-shared' | 'memfd' | 'memfd-private' | 'disk-private' | 'hugetlb' | 'hugetlb-shared';
const KINDS: readonly Kind[] = ['anon', 'anon-4k', 'anon-shared', 'memfd', 'memfd-private', 'disk-private', 'hugetlb', 'hugetlb-shared'];

function specOf(kind: Kind, size: number, hugetlb: number): MapSpec {
  switch (kind) {
    case 'anon':
      return { kind: 'anon', size, thp: 'hugepage' };
    case 'anon-4k':
      return { kind: 'anon', size, thp: 'nohugepage' };
    case 'anon-shared':
      return { kind: 'anon', shared: true, size };
    case 'memfd':
      return { kind: 'memfd', size };
    case 'memfd-private':
      return { kind: 'memfd', shared: false, size };
    case 'disk-private':
      return { kind: 'file', path: '/disk/vm', fs: 'disk', size };
    case 'hugetlb':
      return { kind: 'anon', hugetlb, size };
    case 'hugetlb-shared':
      return { kind: 'memfd', hugetlb, size };
  }
}

const op = fc.record({
  what: fc.constantFrom('read', 'write', 'populate', 'dontneed', 'remove', 'punch', 'keys', 'cmma', 'reclaim', 'register', 'copy', 'zeropage'),
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  len: fc.double({ min: 0, max: 1, noNaN: true }),
  tag: fc.nat({ max: 5 }),
});

const config = fc.record({
  arch: fc.constantFrom('x86_64' as const, 's390x' as const),
  kernel: fc.constantFrom(...KERNEL_ERAS),
  kvm: fc.boolean(),
  kind: fc.constantFrom(...KINDS),
  chunks: fc.integer({ min: 1, max: 6 }),
  extraPages: fc.nat({ max: 3 }),
});

/** Picks a page-aligned [offset, length) inside the mapping from two fractions. */
function rangeOf(m: Mapping, start: number, len: number): [number, number] {
  const pages = m.pageCount;
  const s = Math.min(pages - 1, Math.floor(start * pages));
  const n = Math.max(1, Math.min(pages - s, Math.ceil(len * (pages - s))));
  return [s * m.pageSize, n * m.pageSize];
}

/** What must not change outside a discarded range: content and which pages are mapped. */
function outside(m: Mapping, offset: number, length: number) {
  const parts: Array<[number, number]> = [
    [0, offset],
    [offset + length, m.size - offset - length],
  ];
  return parts.filter(([, l]) => l > 0).map(([o, l]) => ({ runs: m.contentRuns(o, l), unmapped: m.stateCounts(o, l).none }));
}

describe('host/properties', () => {
  it('accounting, zeropage reads and discards hold under random operations', () => {
    fc.assert(
      fc.property(config, fc.array(op, { minLength: 1, maxLength: 14 }), (cfg, ops) => {
        const { host, proc } = setup({ arch: cfg.arch, kernel: cfg.kernel, kvm: cfg.kvm });
        const hugetlb = host.arch.pmdSize;
        const isHugetlb = cfg.kind.startsWith('hugetlb');
        const size = cfg.chunks * host.arch.pmdSize + (isHugetlb ? 0 : cfg.extraPages * host.arch.basePageSize);
        const m = mapOk(proc, specOf(cfg.kind, size, hugetlb));
        const objects = m.object ? [m.object] : [];
        // What each page should read as. Private memory loses content on MADV_DONTNEED, shared
        // memory on a hole punch; CMMA-unused pages may lose it on reclaim (the guest said so).
        const content = new Uint32Array(m.pageCount);
        let cmmaUsed = false;
        let uffd: Userfaultfd | undefined;
        for (const o of ops) {
          const [offset, length] = rangeOf(m, o.start, o.len);
          const s = offset / m.pageSize;
          const e = s + length / m.pageSize;
          switch (o.what) {
            case 'read': {
              const zeropage = m.readMapsZeropage;
              const out = m.read(offset, length);
              if (zeropage) {
                assert.equal(out.delta.rssAnon + out.delta.rssShmem + out.delta.rssFile + out.delta.hugetlb, 0, 'a zeropage read raised RSS');
                assert.equal(out.delta.host, out.delta.pageTables);
              }
              break;
            }
            case 'write': {
              const out = m.write(offset, length, o.tag);
              // An access stops at the first page it has to wait for.
              content.fill(o.tag, s, out.kind === 'blocked' ? out.offset / m.pageSize : e);
              break;
            }
            case 'register': {
              const made = proc.userfaultfd();
              if (made.kind === 'done' && made.uffd.register(m).kind === 'done') uffd = made.uffd;
              break;
            }
            case 'copy':
            case 'zeropage': {
              if (!uffd) break;
              const out = o.what === 'copy' ? uffd.copy(m, offset, length, o.tag) : uffd.zeropage(m, offset, length);
              const filled = out.bytes / m.pageSize;
              if (filled > 0) {
                assert.ok(out.kind === 'done' || out.errno === 'EEXIST' || out.errno === 'ENOMEM');
                content.fill(o.what === 'copy' ? o.tag : 0, s, s + filled);
              }
              break;
            }
            case 'populate':
              m.populate(offset, length, o.tag % 2 ? 'read' : 'write');
              break;
            case 'dontneed':
            case 'remove':
            case 'punch': {
              const before = outside(m, offset, length);
              const out = o.what === 'punch' ? m.punchHole(offset, length) : m.madvise(offset, length, o.what);
              assert.deepEqual(outside(m, offset, length), before, `${o.what} changed pages outside its range`);
              if (out.kind === 'done' && o.what === 'dontneed') assert.equal(m.stateCounts(offset, length).none, length / m.pageSize);
              if (out.kind === 'done' && (m.shared ? o.what !== 'dontneed' : o.what === 'dontneed')) content.fill(0, s, e);
              break;
            }
            case 'keys':
              if (proc.pgste) proc.enableStorageKeys();
              break;
            case 'cmma':
              if (proc.pgste) m.cmmaSetUsage(offset, length, o.tag % 2 ? 'unused' : 'stable');
              cmmaUsed ||= proc.pgste && o.tag % 2 === 1;
              break;
            case 'reclaim':
              host.reclaim();
              break;
          }
          checkAccounting(host, objects);
          if (!cmmaUsed) {
            for (const r of m.contentRuns()) {
              const first = r.offset / m.pageSize;
              for (let p = first; p < first + r.length / m.pageSize; p++) assert.equal(r.tag, content[p], `content of page ${p} after ${o.what}`);
            }
          }
        }
        proc.unmap(m);
        assert.equal(proc.status().vmPte, 0);
        assert.equal(proc.status().vmRss, 0);
        checkAccounting(host, objects);
      }),
      { numRuns: 1500 },
    );
  });

  it('THP-backed memory: RSS and content survive random partial discards and the deferred split', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 20 }), (ops) => {
        const { host, proc } = setup({ kernel: 'linux-6.1' });
        const m = mapOk(proc, { kind: 'anon', size: 8 * host.arch.pmdSize, thp: 'hugepage' });
        const content = new Uint32Array(m.pageCount);
        for (const o of ops) {
          const [offset, length] = rangeOf(m, o.start, o.len);
          const s = offset / m.pageSize;
          const e = s + length / m.pageSize;
          if (o.what === 'write') {
            m.write(offset, length, o.tag);
            content.fill(o.tag, s, e);
          } else if (o.what === 'dontneed') {
            m.madvise(offset, length, 'dontneed');
            content.fill(0, s, e);
          } else if (o.what === 'reclaim') {
            host.reclaim();
          } else {
            m.read(offset, length);
          }
          checkAccounting(host);
        }
        for (const r of m.contentRuns()) {
          for (let p = r.offset / m.pageSize; p < (r.offset + r.length) / m.pageSize; p++) assert.equal(content[p], r.tag);
        }
      }),
      { numRuns: 200 },
    );
  });
});
