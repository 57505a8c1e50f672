/**
 * -mem-prealloc against each Debian release's real qemu-system-x86_64: the real process's resident
 * set (VmRSS in /proc/PID/status, paused with -S) grows by the guest's RAM over the same command
 * line without it, and hotmem of that release reports that RAM resident (x-query-host-memory's
 * rss counts guest memory only, where VmRSS also holds QEMU itself). A run without the option
 * has touched a few pages of RAM already (firmware setup); the growth is compared to within 1 MiB.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { MiB } from '../../src/core/units.js';
import { requireModelled } from './modelled-release.js';
import { QmpSession } from './qemu.js';
import { hotmemFigures } from './host-figures.js';
import { realQemus, requireReal } from './real-qemu.js';

const GUEST_RAM = 256 * MiB;
const ARGS = ['-machine', 'pc', '-m', `${GUEST_RAM / MiB}M`];

/**
 * VmRSS without start-up's transients: QEMU still holds a few MiB right after start-up that it
 * frees within about a second (seen on 10.0 and 11.1), so the lowest of readings over 1.5 s counts.
 */
async function realRss(binary: string, args: readonly string[]): Promise<number> {
  const session = await QmpSession.start(binary, args);
  const read = () => {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${session.pid}/status`, 'utf8'))?.[1];
    if (kib === undefined) throw new Error(`no VmRSS for QEMU ${session.pid}`);
    return Number(kib) * 1024;
  };
  try {
    let lowest = read();
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      lowest = Math.min(lowest, read());
    }
    return lowest;
  } finally {
    await session.quit();
  }
}

/** hotmem's guest memory resident, paused with the same arguments as realRss's QEMU. */
const hotmemRss = (release: string, args: readonly string[]): number => hotmemFigures(release, ['-display', 'none', '-nodefaults', '-S', ...args]).rss;

describe('conformance: -mem-prealloc and host memory, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    it(`QEMU ${q.release} (${q.suite}): guest RAM resident with -mem-prealloc`, async function () {
      requireReal(this, q);
      requireModelled(this, q.release);
      const growth = (await realRss(q.binary, [...ARGS, '-mem-prealloc'])) - (await realRss(q.binary, ARGS));
      const modelled = hotmemRss(q.release, [...ARGS, '-mem-prealloc']);
      assert.equal(modelled, GUEST_RAM);
      assert.ok(Math.abs(growth - modelled) <= MiB, `the real process grew by ${growth} bytes, hotmem holds ${modelled} resident`);
      assert.equal(hotmemRss(q.release, ARGS), 0, 'without -mem-prealloc a paused guest has touched nothing hotmem models');
    });
  }
});
