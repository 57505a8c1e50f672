/**
 * human-monitor-command's pages hotmem models (info memory-devices, memdev, balloon,
 * memory_size_summary, numa, status, name, uuid, kvm, iothreads; balloon, stop, cont) and HMP's
 * own answers (unknown command, extraneous characters, a bad number), against the real QEMU of
 * every Debian suite. Thread ids are the host's and are masked. Skips, saying so, where a root is
 * missing.
 */
import { strict as assert } from 'node:assert';
import { realQemus, requireReal } from './real-qemu.js';
import { hotmemTranscript, realTranscript, type Reply, type Step } from './transcripts.js';

const hmp = (line: string): Step => ['human-monitor-command', { 'command-line': line }];

const PAGES: readonly Step[] = [
  'info memory-devices',
  'info memdev',
  'info balloon',
  'info memory_size_summary',
  'info numa',
  'info status',
  'info name',
  'info uuid',
  'info kvm',
  'info iothreads',
].map(hmp);

const CASES: ReadonlyArray<{ readonly what: string; readonly args: readonly string[]; readonly steps: readonly Step[]; readonly x86Only?: true }> = [
  { what: 'a bare machine', args: [], steps: PAGES },
  {
    what: 'memory devices, NUMA, a balloon and an iothread',
    x86Only: true,
    args: [
      '-machine',
      'q35',
      '-m',
      '1G,slots=2,maxmem=4G',
      '-name',
      'vm1',
      '-uuid',
      '12345678-1234-1234-1234-123456789abc',
      '-object',
      'memory-backend-ram,id=m0,size=1G',
      '-object',
      'memory-backend-memfd,id=m1,size=512M,share=on,host-nodes=0,policy=bind',
      '-object',
      'memory-backend-ram,id=d0,size=256M',
      '-object',
      'iothread,id=io1',
      '-numa',
      'node,memdev=m0',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=m1,requested-size=0',
      '-device',
      'pc-dimm,id=dimm0,memdev=d0',
      '-device',
      'virtio-balloon-pci,id=b0',
    ],
    steps: [...PAGES, hmp('balloon 512'), hmp('info balloon'), hmp('stop'), hmp('info status'), hmp('c'), hmp('info status')],
  },
  {
    what: 'two NUMA nodes without memory devices',
    x86Only: true,
    args: [
      '-m',
      '1G',
      '-object',
      'memory-backend-ram,id=a,size=512M',
      '-object',
      'memory-backend-ram,id=b,size=512M',
      '-numa',
      'node,memdev=a',
      '-numa',
      'node,memdev=b',
    ],
    steps: [hmp('info numa'), hmp('info memdev')],
  },
  {
    what: 'vCPUs spread over NUMA nodes',
    x86Only: true,
    args: [
      '-smp',
      '4,sockets=2,cores=2',
      '-m',
      '1G',
      '-object',
      'memory-backend-ram,id=a,size=512M',
      '-object',
      'memory-backend-ram,id=b,size=512M',
      '-numa',
      'node,memdev=a,cpus=0-1',
      '-numa',
      'node,memdev=b,cpus=2-3',
    ],
    steps: [hmp('info numa'), ['x-query-numa']],
  },
  {
    what: "HMP's own answers",
    args: [],
    steps: [
      hmp(''),
      hmp('   '),
      hmp('frob'),
      hmp('info frob'),
      hmp('info status extra'),
      hmp('  info   status  '),
      hmp('balloon'),
      hmp('balloon x'),
      hmp('balloon 0x10'),
    ],
  },
];

/** The thread ids are the host's. */
const masked = (replies: readonly Reply[]): string => JSON.stringify(replies).replace(/thread_id=\d+/g, 'thread_id=N');

describe('conformance: the human monitor through QMP by release', function () {
  this.timeout(120_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch)) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        for (const { what, args, steps, x86Only } of CASES) {
          if (x86Only && arch !== 'x86_64') continue;
          it(what, async function () {
            requireReal(this, q);
            const real = await realTranscript(q.binary, args, steps);
            assert.equal(real.stderr, '', real.stderr);
            const model = hotmemTranscript(q.release, args, steps, arch).replies;
            steps.forEach(([command, a], i) =>
              assert.equal(masked([model[i]!]), masked([real.replies[i]!]), typeof a?.['command-line'] === 'string' ? a['command-line'] : command),
            );
          });
        }
      });
    }
  }
});
