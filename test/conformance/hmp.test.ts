/**
 * human-monitor-command's pages hotmem models (info memory-devices, memdev, balloon,
 * memory_size_summary, numa, status, name, uuid, kvm, iothreads, ramblock; balloon, stop, cont;
 * x-query-numa and x-query-ramblock) and HMP's own answers (unknown command, extraneous
 * characters, a bad number), against the real QEMU of every Debian suite. Thread ids and info
 * ramblock's host addresses are the host's and are masked. Skips, saying so, where a root is
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
  'info ramblock',
].map(hmp);

const CASES: ReadonlyArray<{
  readonly what: string;
  readonly args: readonly string[];
  readonly steps: readonly Step[];
  readonly x86Only?: true;
  /** QEMU warns at start-up (a NIC without a netdev): hotmem must print the same. */
  readonly warns?: true;
}> = [
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
    what: 'RAMBlocks of option ROMs, video RAM and backends, before and after a hotplug',
    x86Only: true,
    warns: true,
    args: [
      ...['-M', 'pc', '-m', '128M,maxmem=1G,slots=2', '-device', 'virtio-vga', '-device', 'e1000', '-device', 'cirrus-vga,vgamem_mb=8'],
      ...['-device', 'secondary-vga', '-device', 'virtio-net-pci,rombar=0', '-object', 'memory-backend-ram,id=unused,size=64M'],
      ...['-object', 'memory-backend-memfd,id=d0,size=128M,share=on', '-device', 'pc-dimm,id=dimm0,memdev=d0'],
    ],
    steps: [
      hmp('info ramblock'),
      ['x-query-ramblock'],
      ['object-add', { 'qom-type': 'memory-backend-ram', id: 'd1', size: 64 * 2 ** 20 }],
      ['device_add', { driver: 'pc-dimm', id: 'dimm1', memdev: 'd1' }],
      hmp('info ramblock'),
    ],
  },
  {
    what: 'an option ROM sized by romsize (6.0 on; 5.2 has no such property)',
    x86Only: true,
    warns: true,
    args: ['-M', 'pc', '-device', 'e1000,romsize=1048576', '-device', 'VGA,romsize=65536'],
    steps: [hmp('info ramblock')],
  },
  {
    what: 'RAMBlocks of a q35 machine with a virtio-mem device, vmware-svga and bochs-display',
    x86Only: true,
    warns: true,
    args: [
      ...['-M', 'q35', '-m', '256M,maxmem=2G', '-object', 'memory-backend-ram,id=mem0,size=512M'],
      ...['-device', 'virtio-mem-pci,id=vm0,memdev=mem0', '-device', 'vmware-svga,vgamem_mb=4', '-device', 'e1000e,romfile=efi-e1000.rom'],
      ...['-device', 'bochs-display,vgamem=5M'],
    ],
    steps: [hmp('info ramblock')],
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

/** The thread ids and the RAMBlocks' host addresses (info ramblock's HVA column, 8.0 on) are the host's. */
const masked = (replies: readonly Reply[]): string =>
  JSON.stringify(replies)
    .replace(/thread_id=\d+/g, 'thread_id=N')
    .replace(/((?:0x[0-9a-f]{16} ){3})0x[0-9a-f]{16}/g, '$1HVA');

describe('conformance: the human monitor through QMP by release', function () {
  this.timeout(120_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch)) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        for (const { what, args, steps, x86Only, warns } of CASES) {
          if (x86Only && arch !== 'x86_64') continue;
          it(what, async function () {
            requireReal(this, q);
            const real = await realTranscript(q.binary, args, steps);
            const modelled = hotmemTranscript(q.release, args, steps, arch);
            assert.equal(real.stderr, warns ? modelled.stderr : '', real.stderr);
            const model = modelled.replies;
            steps.forEach(([command, a], i) =>
              assert.equal(masked([model[i]!]), masked([real.replies[i]!]), typeof a?.['command-line'] === 'string' ? a['command-line'] : command),
            );
          });
        }
      });
    }
  }
});
