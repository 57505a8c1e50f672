/**
 * `-object thread-context` and a memory backend's prealloc-context / prealloc-threads through
 * each Debian release's real qemu-system-x86_64 and through `hotmem qemu` of that release: stderr
 * and exit status must be identical. CPU and node numbers are judged against this host's CPUs
 * (hotmem's realHost reads them from sysfs): CPU 0 and node 0 exist on every host, CPU 4095 and
 * node 200 on none this runs on. Every run ends at a device that fails once the objects exist.
 */
import { requireModelled } from './modelled-release.js';
import { realQemus, requireReal } from './real-qemu.js';
import { assertSameStartup } from './transcripts.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S', '-machine', 'pc'];
const THEN_FAIL = ['-device', 'virtio-mem-pci,memdev=nope'];
const TC = 'thread-context,id=tc1,node-affinity=0';
const RAM = 'memory-backend-ram,id=m,size=64M';

/** The -object options of one run. */
const CASES: readonly (readonly string[])[] = [
  ['thread-context,help'],
  ['thread-context,id=tc1'],
  ['thread-context,id=tc1,cpu-affinity=0'],
  ['thread-context,id=tc1,node-affinity=0'],
  ['thread-context,id=tc1,cpu-affinity=0,node-affinity=0'],
  ['thread-context,id=tc1,node-affinity=0,cpu-affinity=0'],
  ['thread-context,id=tc1,cpu-affinity=4095'],
  ['thread-context,id=tc1,cpu-affinity=0,cpu-affinity=4095'],
  ['thread-context,id=tc1,cpu-affinity=4000-4095'],
  ['thread-context,id=tc1,node-affinity=200'],
  ['thread-context,id=tc1,node-affinity=0,node-affinity=200'],
  ['thread-context,id=tc1,thread-id=3'],
  ['thread-context,id=tc1,cpu-affinity=x'],
  ['thread-context,id=tc1,cpu-affinity=1-0'],
  ['thread-context,id=tc1,cpu-affinity=70000'],
  [TC, `${RAM},prealloc=on,prealloc-context=tc1`],
  [TC, `${RAM},prealloc=on,prealloc-threads=4,prealloc-context=tc1`],
  [`${RAM},prealloc=on,prealloc-threads=4`],
  [`${RAM},prealloc-threads=0`],
  [`${RAM},prealloc=on,prealloc-context=nope`],
  ['memory-backend-ram,id=m0,size=64M', `${RAM},prealloc=on,prealloc-context=m0`],
  ['{"qom-type":"thread-context","id":"tc1","cpu-affinity":[0]}'],
  ['{"qom-type":"thread-context","id":"tc1","node-affinity":[200]}'],
];

const RUNNING_AFTER_MS = 6_000;

describe('conformance: -object thread-context and prealloc-context, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const objects of CASES) {
        it(objects.join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          await assertSameStartup(q, [...COMMON, ...objects.flatMap((o) => ['-object', o]), ...THEN_FAIL], RUNNING_AFTER_MS);
        });
      }
    });
  }
});
