import assert from 'node:assert/strict';
import { isHotmemError } from '../../src/core/errors.js';
import type { Errno, HostProcess, MapSpec, Userfaultfd } from '../../src/host/index.js';
import { MiB, PAGE, checkAccounting, mapOk, setup } from './fixtures.js';

function uffdOf(proc: HostProcess, features: Parameters<HostProcess['userfaultfd']>[0] = {}): Userfaultfd {
  const out = proc.userfaultfd(features);
  assert.equal(out.kind, 'done');
  return (out as { uffd: Userfaultfd }).uffd;
}

const errnoOf = (o: { kind: string }): string | undefined => (o as { errno?: Errno }).errno;

describe('host/userfaultfd', () => {
  describe('UFFDIO_REGISTER (MISSING) by mapping kind and kernel', () => {
    const cases: Array<[string, string, MapSpec, string | readonly string[]]> = [
      ['private anonymous', 'linux-6.1', { kind: 'anon', size: 4 * MiB }, ['wake', 'copy', 'zeropage']],
      ['private anonymous', 'linux-6.8', { kind: 'anon', size: 4 * MiB }, ['wake', 'copy', 'zeropage', 'move', 'poison']],
      ['private anonymous', 'linux-4.9', { kind: 'anon', size: 4 * MiB }, ['wake', 'copy', 'zeropage']],
      ['shared memfd', 'linux-4.9', { kind: 'memfd', size: 4 * MiB }, 'EINVAL'],
      ['shared memfd', 'linux-4.11', { kind: 'memfd', size: 4 * MiB }, ['wake', 'copy']],
      ['shared memfd', 'linux-4.14', { kind: 'memfd', size: 4 * MiB }, ['wake', 'copy', 'zeropage']],
      ['private memfd', 'linux-4.11', { kind: 'memfd', shared: false, size: 4 * MiB }, ['wake', 'copy', 'zeropage']],
      ['hugetlb (no UFFDIO_ZEROPAGE)', 'linux-6.1', { kind: 'anon', hugetlb: 2 * MiB, size: 4 * MiB }, ['wake', 'copy']],
      ['hugetlb (no UFFDIO_ZEROPAGE, no MOVE)', 'linux-6.8', { kind: 'anon', hugetlb: 2 * MiB, size: 4 * MiB }, ['wake', 'copy', 'poison']],
      ['disk file', 'linux-6.1', { kind: 'file', path: '/f', fs: 'disk', size: 4 * MiB }, 'EINVAL'],
    ];
    for (const [what, kernel, spec, expected] of cases) {
      it(`${what} on ${kernel}: ${typeof expected === 'string' ? expected : expected.join(',')}`, () => {
        const { proc } = setup({ kernel });
        const m = mapOk(proc, spec);
        const out = uffdOf(proc).register(m);
        if (typeof expected === 'string') assert.equal(errnoOf(out), expected);
        else assert.deepEqual(out.kind === 'done' ? out.ioctls : out.errno, expected);
      });
    }

    it('userfaultfd(2) is ENOSYS before 4.3; unknown features are EINVAL', () => {
      assert.equal(errnoOf(setup({ kernel: 'linux-4.2' }).proc.userfaultfd()), 'ENOSYS');
      assert.equal(errnoOf(setup({ kernel: 'linux-4.9' }).proc.userfaultfd({ features: ['sigbus'] })), 'EINVAL');
    });

    it('a range held by another userfaultfd is EBUSY; only MISSING mode is modelled', () => {
      const { proc } = setup();
      const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
      assert.equal(uffdOf(proc).register(m, 0, 2 * MiB).kind, 'done');
      assert.equal(errnoOf(uffdOf(proc).register(m, MiB, 2 * MiB)), 'EBUSY');
      assert.throws(
        () => uffdOf(proc).register(m, 2 * MiB, 2 * MiB, 'wp'),
        (e: unknown) => isHotmemError(e, 'host.uffd-mode-unsupported'),
      );
    });
  });

  it('reads and writes of missing pages become pending faults; the access stops there', () => {
    const { host, proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 8 * MiB });
    m.write(0, 4 * PAGE, 1);
    const uffd = uffdOf(proc);
    uffd.register(m);
    const r = m.read(0, 8 * MiB, { by: 'vcpu0' });
    assert.equal(r.kind, 'blocked');
    const fault = (r as { fault: { address: number; write: boolean; offset: number } }).fault;
    // The first 2 MiB is a THP (written before registration): reading it works.
    assert.equal(fault.offset, 2 * MiB);
    assert.equal(fault.address, m.start + 2 * MiB);
    assert.equal(fault.write, false);
    assert.equal(r.faults.userfault, 1);
    assert.equal(r.delta.rssAnon, 0, 'no zeropage in a registered range');
    const w = m.write(2 * MiB, PAGE, 5, { by: 'vcpu1' });
    assert.equal(w.kind, 'blocked');
    assert.deepEqual(
      uffd.pending().map((f) => [f.offset, f.write, f.waiters]),
      [[2 * MiB, true, ['vcpu0', 'vcpu1']]],
    );
    assert.deepEqual(
      uffd.read().map((msg) => msg.event),
      ['pagefault'],
    );
    assert.deepEqual(uffd.stuck(), [], 'a monitored fault that was never placed is just waiting');
    checkAccounting(host);
  });

  it('UFFDIO_COPY places content and wakes; UFFDIO_ZEROPAGE maps the zeropage; EEXIST stops a fill', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc);
    uffd.register(m);
    m.read(0, PAGE);
    const c = uffd.copy(m, 0, 2 * PAGE, 0xbeef);
    assert.equal(c.kind, 'done');
    assert.equal(c.delta.rssAnon, 2 * PAGE);
    assert.equal(uffd.pending().length, 0, 'woken');
    assert.equal(m.contentAt(PAGE), 0xbeef);
    const z = uffd.zeropage(m, 2 * PAGE, 2 * PAGE);
    assert.equal(z.delta.rssAnon, 0);
    assert.equal(m.stateAt(2 * PAGE), 'zeropage');
    const again = uffd.copy(m, 4 * PAGE, 4 * PAGE, 1);
    assert.equal(again.kind, 'done');
    const e = uffd.copy(m, 8 * PAGE, 4 * PAGE, 2);
    assert.equal(e.kind, 'done');
    const dup = uffd.copy(m, 12 * PAGE - 2 * PAGE, 4 * PAGE, 3);
    assert.deepEqual([dup.kind, errnoOf(dup), (dup as { bytes: number }).bytes], ['error', 'EEXIST', 0]);
    assert.equal(m.read(0, 12 * PAGE).kind, 'done');
  });

  it('a fill outside a registered range is ENOENT; UFFDIO_ZEROPAGE on hugetlb is EINVAL', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const h = mapOk(proc, { kind: 'anon', hugetlb: 2 * MiB, size: 4 * MiB });
    const uffd = uffdOf(proc);
    uffd.register(m, 0, 2 * MiB);
    uffd.register(h);
    assert.equal(errnoOf(uffd.copy(m, 2 * MiB, PAGE, 1)), 'ENOENT');
    assert.equal(errnoOf(uffd.zeropage(h, 0, 2 * MiB)), 'EINVAL');
    const hc = uffd.copy(h, 0, 2 * MiB, 4);
    assert.equal(hc.delta.hugetlb, 2 * MiB);
    assert.throws(
      () => uffd.copy(h, PAGE, PAGE, 1),
      (e: unknown) => isHotmemError(e, 'host.misaligned'),
    );
  });

  it('shared memory: faults fire on pages absent from the page cache; fills go to the object', () => {
    const { host, proc } = setup();
    const memfd = host.createMemfd({ size: 4 * MiB });
    const m = mapOk(proc, { kind: 'object', object: memfd, shared: true, size: 4 * MiB });
    m.write(0, PAGE, 1);
    m.madvise(0, 4 * MiB, 'dontneed');
    const uffd = uffdOf(proc);
    uffd.register(m);
    const r = m.read(0, 4 * MiB);
    assert.equal((r as { offset: number }).offset, PAGE, 'page 0 is still in the page cache: no fault');
    const z = uffd.zeropage(m, PAGE, PAGE);
    assert.equal(z.delta.rssShmem, PAGE);
    assert.equal(host.meminfo().shmem, 2 * PAGE);
    checkAccounting(host, [memfd]);
  });

  it('MADV_DONTNEED with UFFD_FEATURE_EVENT_REMOVE: a REMOVE message, and fills are EAGAIN until it is read', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc, { features: ['event-remove'] });
    uffd.register(m);
    uffd.copy(m, 0, 4 * MiB, 1);
    m.madvise(0, 2 * MiB, 'dontneed');
    assert.equal(errnoOf(uffd.copy(m, 0, PAGE, 2)), 'EAGAIN');
    const msgs = uffd.read();
    assert.deepEqual(
      msgs.map((x) => x.event),
      ['remove'],
    );
    assert.deepEqual(msgs[0], { event: 'remove', start: m.start, end: m.start + 2 * MiB, mapping: m });
    assert.equal(uffd.copy(m, 0, PAGE, 2).kind, 'done');
  });

  it('UFFD_FEATURE_SIGBUS turns missing faults into SIGBUS', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc, { features: ['sigbus'] });
    uffd.register(m);
    const r = m.read(0, PAGE);
    assert.deepEqual([r.kind, (r as { reason: string }).reason], ['sigbus', 'uffd-sigbus']);
    assert.equal(uffd.pending().length, 0);
  });

  it('a discarded page that was placed faults again: the postcopy hang, reported with its cause', () => {
    const { host, proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc);
    uffd.register(m);
    uffd.copy(m, 0, 4 * PAGE, 1);
    m.madvise(0, 2 * PAGE, 'dontneed'); // e.g. a balloon inflate during postcopy
    const r = m.read(0, 4 * PAGE, { by: 'vcpu0' });
    assert.equal(r.kind, 'blocked');
    const stuck = host.stuckFaults();
    assert.equal(stuck.length, 1);
    assert.equal(stuck[0]!.reason, 'refault-after-resolve');
    assert.equal(stuck[0]!.fault.refaultCause, 'madv-dontneed');
    assert.equal(stuck[0]!.fault.address, m.start);
    assert.match(stuck[0]!.detail, /removed by madv-dontneed/);
  });

  it('faults nobody reads are stuck; closing the fd lets accesses fault normally', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc, { monitored: false });
    uffd.register(m);
    m.read(PAGE, PAGE);
    assert.deepEqual(
      proc.stuckFaults().map((s) => s.reason),
      ['no-monitor'],
    );
    uffd.close();
    assert.deepEqual(proc.stuckFaults(), []);
    assert.equal(m.read(PAGE, PAGE).kind, 'done');
    assert.throws(
      () => uffd.copy(m, 0, PAGE, 1),
      (e: unknown) => isHotmemError(e, 'host.uffd-closed'),
    );
  });

  it('UFFDIO_COPY without wake leaves the waiter until UFFDIO_WAKE', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const uffd = uffdOf(proc);
    uffd.register(m);
    m.read(0, PAGE, { by: 'vcpu3' });
    uffd.copy(m, 0, PAGE, 1, { wake: false });
    assert.equal(uffd.pending().length, 1);
    assert.equal(uffd.wake(m, 0, PAGE), 1);
    assert.equal(uffd.pending().length, 0);
  });

  it('a userfault in anonymous memory allocates the PTE table, except on the THP path', () => {
    const { proc } = setup();
    const thp = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const small = mapOk(proc, { kind: 'anon', size: 4 * MiB, thp: 'nohugepage' });
    const uffd = uffdOf(proc);
    uffd.register(thp);
    uffd.register(small);
    assert.equal(thp.read(0, PAGE).delta.vmPte, 4096 + 4096, 'PMD and PUD tables, no PTE table');
    assert.equal(small.read(0, PAGE).delta.vmPte, 4096);
  });
});
