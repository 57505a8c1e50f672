import assert from 'node:assert/strict';
import type { HostProcess, Mapping, Userfaultfd } from '../../src/host/index.js';
import { GiB, MiB, PAGE, checkAccounting, mapOk, setup } from './fixtures.js';

const RAM = 256 * MiB;

function s390(kernel: string, kvm = true) {
  const { host, proc } = setup({ arch: 's390x', kernel, kvm });
  return { host, proc, ram: mapOk(proc, { kind: 'anon', size: RAM, thp: 'hugepage' }) };
}

function uffdOf(proc: HostProcess): Userfaultfd {
  const out = proc.userfaultfd();
  assert.equal(out.kind, 'done');
  return (out as { uffd: Userfaultfd }).uffd;
}

describe('host/s390x: zeropage eras, storage keys, PV, CMMA', () => {
  /**
   * [kernel, kvm, RSS after reading all, zeropage allowed before keys, pages zapped / unshared by
   * enabling keys, RSS after enabling keys, zeropage allowed after].
   */
  const table: Array<[string, boolean, number, boolean, number, number, number, boolean]> = [
    ['linux-4.9', true, 0, true, RAM / PAGE, 0, 0, false],
    ['linux-4.14', true, RAM, false, 0, 0, RAM, false],
    ['linux-6.9', true, RAM, false, 0, 0, RAM, false],
    ['linux-6.10', true, 0, true, 0, RAM / PAGE, RAM, false],
    ['linux-6.10', false, 0, true, 0, 0, 0, true],
  ];
  for (const [kernel, kvm, readRss, before, zapped, unshared, afterRss, after] of table) {
    it(`${kernel}${kvm ? ' KVM' : ' TCG'}: read-all RSS ${readRss / MiB} MiB; storage keys zap ${zapped}, unshare ${unshared}`, () => {
      const { host, proc, ram } = s390(kernel, kvm);
      assert.equal(proc.zeropageAllowed, before);
      assert.equal(ram.read(0, RAM).delta.rssAnon, readRss);
      assert.equal(proc.status().anonHugePages, 0, 'no THP: s390_enable_sie() disables it, and TCG reads map zeropages');
      if (!kvm) {
        assert.throws(() => proc.enableStorageKeys());
        return;
      }
      const out = proc.enableStorageKeys();
      assert.equal(out.kind, 'done');
      const done = out as { zappedPages: number; unsharedPages: number };
      assert.deepEqual([done.zappedPages, done.unsharedPages], [zapped, unshared]);
      assert.equal(proc.status().rssAnon, afterRss);
      assert.equal(proc.zeropageAllowed, after);
      // After keys, reads allocate in every era.
      ram.madvise(0, MiB, 'dontneed');
      assert.equal(ram.read(0, MiB).delta.rssAnon, MiB);
      checkAccounting(host);
    });
  }

  it('where the zeropage is forbidden, reading allocates zeroed pages and leaves written data alone', () => {
    const { ram } = s390('linux-6.1');
    ram.write(0, 2 * PAGE, 5);
    const out = ram.read(0, 4 * PAGE);
    assert.equal(out.faults.anon, 2);
    assert.deepEqual(ram.contentRuns(0, 4 * PAGE), [
      { offset: 0, length: 2 * PAGE, tag: 5 },
      { offset: 2 * PAGE, length: 2 * PAGE, tag: 0 },
    ]);
  });

  it('KVM page tables carry PGSTEs: memory doubles, VmPTE does not (mm_inc_nr_ptes)', () => {
    const kvm = s390('linux-6.10');
    const tcg = s390('linux-6.10', false);
    kvm.ram.read(0, RAM);
    tcg.ram.read(0, RAM);
    const k = kvm.proc.status();
    const t = tcg.proc.status();
    assert.equal(k.vmPte, t.vmPte);
    assert.equal(k.vmPte, 256 * 2048 + 16384 + 16384);
    assert.equal(k.pageTableBytes - t.pageTableBytes, 256 * 2048);
  });

  it('6.10+: PV unshares like storage keys; only the first of the two does', () => {
    const { proc, ram } = s390('linux-6.10');
    ram.read(0, 16 * MiB);
    const pv = proc.enablePv();
    assert.equal((pv as { unsharedPages: number }).unsharedPages, 4096);
    assert.equal(pv.faults.cow, 4096);
    assert.equal((proc.enableStorageKeys() as { unsharedPages: number }).unsharedPages, 0);
    assert.equal((setup({ arch: 's390x', kernel: 'linux-5.4', kvm: true }).proc.enablePv() as { errno?: string }).errno, 'EINVAL');
  });

  it('UFFDIO_ZEROPAGE: the zeropage before 6.10 even where forbidden, a zeroed page on 6.10+ once forbidden', () => {
    for (const [kernel, keysFirst, rss] of [
      ['linux-6.9', false, 0],
      ['linux-6.10', false, 0],
      ['linux-6.10', true, PAGE],
    ] as const) {
      const { proc, ram } = s390(kernel);
      if (keysFirst) proc.enableStorageKeys();
      const uffd = uffdOf(proc);
      uffd.register(ram);
      assert.equal(uffd.zeropage(ram, 0, PAGE).delta.rssAnon, rss, `${kernel} keys=${String(keysFirst)}`);
    }
  });

  describe('reproduction: the postcopy hang (fa41ba0d)', () => {
    /**
     * A postcopy destination: RAM is discarded and registered; the guest touches a page that the
     * source reported as zero, QEMU answers with UFFDIO_ZEROPAGE and marks it received; then the
     * destination enables storage keys (KVM_S390_SET_SKEYS from the migration stream) and the
     * guest touches the page again.
     */
    function postcopy(kernel: string): {
      proc: HostProcess;
      ram: Mapping;
      uffd: Userfaultfd;
      second: ReturnType<Mapping['read']>;
      keys: { zappedPages: number; unsharedPages: number };
    } {
      const { proc, ram } = s390(kernel);
      ram.madvise(0, RAM, 'dontneed');
      const uffd = uffdOf(proc);
      assert.equal(uffd.register(ram).kind, 'done');
      const first = ram.read(64 * MiB, PAGE, { by: 'vcpu0' });
      assert.equal(first.kind, 'blocked');
      assert.equal(uffd.zeropage(ram, 64 * MiB, PAGE).kind, 'done');
      assert.equal(uffd.pending().length, 0);
      const keys = proc.enableStorageKeys() as { zappedPages: number; unsharedPages: number };
      const second = ram.read(64 * MiB, PAGE, { by: 'vcpu0' });
      return { proc, ram, uffd, second, keys };
    }

    it('linux-4.9: enabling storage keys zaps the placed zeropage; the refault is never answered', () => {
      const { proc, ram, second, keys } = postcopy('linux-4.9');
      assert.equal(keys.zappedPages, 1);
      assert.equal(second.kind, 'blocked');
      const stuck = proc.host.stuckFaults();
      assert.equal(stuck.length, 1);
      assert.equal(stuck[0]!.reason, 'refault-after-resolve');
      assert.equal(stuck[0]!.fault.refaultCause, 'storage-keys');
      assert.equal(stuck[0]!.fault.address, ram.start + 64 * MiB);
      assert.deepEqual(stuck[0]!.fault.waiters, ['vcpu0']);
    });

    it('linux-4.14 (zeropage forbidden for KVM) and linux-6.10 (unshare) do not hang', () => {
      const old = postcopy('linux-4.14');
      assert.equal(old.second.kind, 'done');
      assert.equal(old.ram.stateAt(64 * MiB), 'zeropage', 'UFFDIO_ZEROPAGE still maps the zeropage before 6.10');
      const now = postcopy('linux-6.10');
      assert.equal(now.second.kind, 'done');
      assert.equal(now.keys.unsharedPages, 1);
      assert.equal(now.ram.stateAt(64 * MiB), 'anon', 'unshared into a zeroed private page');
      assert.equal(now.proc.status().rssAnon, PAGE);
      assert.deepEqual(now.proc.host.stuckFaults(), []);
    });
  });

  describe('CMMA discards under userfaultfd (bce73e48)', () => {
    for (const [kernel, dropped] of [
      ['linux-4.9', true],
      ['linux-4.19', false],
    ] as const) {
      it(`${kernel}: reclaim ${dropped ? 'drops' : 'keeps'} an unused page postcopy placed`, () => {
        const { host, proc, ram } = s390(kernel);
        const uffd = uffdOf(proc);
        uffd.register(ram);
        uffd.copy(ram, 0, 4 * PAGE, 7);
        ram.cmmaSetUsage(0, 2 * PAGE, 'unused');
        const r = host.reclaim();
        assert.equal(r.cmmaDroppedPages, dropped ? 2 : 0);
        const again = ram.read(0, 4 * PAGE);
        assert.equal(again.kind, dropped ? 'blocked' : 'done');
        assert.deepEqual(
          host.stuckFaults().map((s) => s.fault.refaultCause),
          dropped ? ['cmma-discard'] : [],
        );
        checkAccounting(host);
      });
    }

    it('outside userfaultfd, unused pages are dropped and refault as zero', () => {
      const { host, ram } = s390('linux-6.1');
      ram.write(0, MiB, 3);
      ram.cmmaSetUsage(0, MiB, 'unused');
      ram.cmmaSetUsage(0, PAGE, 'stable');
      const r = host.reclaim();
      assert.equal(r.cmmaDroppedPages, 255);
      assert.equal(r.hostDelta, -255 * PAGE);
      assert.equal(ram.contentAt(0), 3);
      assert.equal(ram.contentAt(PAGE), 0);
      assert.equal(ram.cmmaUnusedPages, 0);
    });
  });

  it('a 100 GiB KVM guest on 6.9 pays in full for reading what the balloon freed (06201e00)', () => {
    for (const [kernel, cost] of [
      ['linux-6.9', 40 * GiB],
      ['linux-6.10', 0],
    ] as const) {
      const { proc } = setup({ arch: 's390x', kernel, kvm: true });
      const ram = mapOk(proc, { kind: 'anon', size: 100 * GiB });
      ram.write(0, 100 * GiB, 1);
      ram.madvise(60 * GiB, 40 * GiB, 'dontneed'); // the balloon inflated to 40 GiB
      const read = ram.read(0, 100 * GiB); // migration reads all of RAM
      assert.equal(read.delta.rssAnon, cost, kernel);
    }
  });
});
