import assert from 'node:assert/strict';
import { isHotmemError } from '../../src/core/errors.js';
import { MiB, PAGE, mapOk, setup } from './fixtures.js';

describe('host/process', () => {
  it('prints the memory lines of /proc/PID/status in kB', () => {
    const { proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 8 * MiB, thp: 'nohugepage' });
    m.write(0, 3 * PAGE, 1);
    assert.equal(
      proc.procStatusText(),
      [
        'VmSize:\t    8192 kB',
        'VmLck:\t       0 kB',
        'VmRSS:\t      12 kB',
        'RssAnon:\t      12 kB',
        'RssFile:\t       0 kB',
        'RssShmem:\t       0 kB',
        'VmPTE:\t      12 kB',
        'HugetlbPages:\t       0 kB',
      ].join('\n'),
    );
  });

  it("finds mappings by address and refuses other processes' mappings", () => {
    const { host, proc } = setup();
    const a = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    const b = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    assert.equal(proc.mappingAt(b.start + PAGE), b);
    assert.equal(proc.mappingAt(a.start - 1), undefined);
    assert.ok(b.start >= a.start + a.size, 'mappings do not overlap');
    const other = host.spawn();
    assert.throws(
      () => other.unmap(a),
      (e: unknown) => isHotmemError(e, 'host.foreign-mapping'),
    );
    const uffd = other.userfaultfd();
    assert.equal(uffd.kind, 'done');
    assert.throws(
      () => (uffd as { uffd: { register(m: unknown): unknown } }).uffd.register(a),
      (e: unknown) => isHotmemError(e, 'host.foreign-mapping'),
    );
  });

  it('exit unmaps everything and closes userfaultfds', () => {
    const { host, proc } = setup();
    const m = mapOk(proc, { kind: 'anon', size: 4 * MiB });
    m.write(0, 4 * MiB, 2);
    const out = proc.userfaultfd({ monitored: false });
    assert.equal(out.kind, 'done');
    const cost = proc.exit();
    assert.equal(cost.delta.rssAnon, -4 * MiB);
    assert.equal(host.meminfo().total, 0);
    assert.deepEqual(host.stuckFaults(), []);
    assert.throws(
      () => proc.map({ kind: 'anon', size: 4 * MiB }),
      (e: unknown) => isHotmemError(e, 'host.process-exited'),
    );
  });

  it('runs out of address space like a 47-bit x86_64 process', () => {
    const { proc } = setup();
    const out = proc.map({ kind: 'anon', size: 128 * 1024 * 1024 * MiB });
    assert.deepEqual([out.kind, (out as { errno?: string }).errno], ['error', 'ENOMEM']);
  });
});
