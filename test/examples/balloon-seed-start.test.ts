/**
 * examples/balloon/seed-start.ts runs and prints what its story says: every row reaches the
 * 40 GiB target, free page reporting keeps a 6.1 guest's workload off the host, and a dump costs
 * all 100 GiB again only on s390x hosts that forbid the shared zeropage (4.14 to 6.9).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

describe('examples/balloon/seed-start', function () {
  this.timeout(120_000);
  it('prints the seed scenario start on x86_64 and on s390x for each host kernel era', () => {
    const out = execFileSync(process.execPath, [join(packageRoot(), 'dist', 'examples', 'balloon', 'seed-start.js')], { encoding: 'utf8' });
    const rows = out
      .split('\n')
      .filter((l) => /^(x86_64|s390x) /.test(l))
      .map((l) => l.trim().split(/\s{2,}|\s(?=\d)/));
    assert.equal(rows.length, 6, out);
    const row = (arch: string, host: string, guest: string) =>
      out.split('\n').find((l) => l.startsWith(arch) && l.includes(host) && new RegExp(`\\s${guest.replace('.', '\\.')}\\s`).test(l))!;
    assert.match(row('x86_64', 'linux-6.1', '6.1'), /40\.00 GiB/);
    assert.match(row('s390x', 'linux-4.14', '6.1'), /100\.\d\d GiB\s*$/);
    assert.doesNotMatch(row('s390x', 'linux-6.10', '6.1'), /100\.\d\d GiB\s*$/);
    assert.doesNotMatch(row('s390x', 'linux-4.9', '6.1'), /100\.\d\d GiB\s*$/);
  });
});
