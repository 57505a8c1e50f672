/**
 * -smp (and -machine smp.X) through each Debian release's real qemu-system-x86_64 and
 * qemu-system-s390x and through hotmem of the same release: a refused topology must be refused
 * with the same stderr; an accepted one must print the same warnings and answer query-cpus-fast
 * and query-hotpluggable-cpus alike (thread ids are the host's, so they are masked),
 * query-acpi-ospm-status's DIMM and (11.0+) CPU slots, and qom-get /machine smp.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { isModelled, requireModelled } from './modelled-release.js';
import { isMissing, realQemus, requireReal, upstreamArgs } from './real-qemu.js';
import { hotmemTranscript, pooled, realTranscript, type Step, type Transcript } from './transcripts.js';

const SCRIPT: readonly Step[] = [
  ['query-cpus-fast'],
  ['query-hotpluggable-cpus'],
  ['query-acpi-ospm-status'],
  ['qom-get', { path: '/machine', property: 'smp' }],
];

/** One start-up: a name, the arguments. */
type Case = readonly [name: string, args: readonly string[]];

const smp = (machine: string, value: string): Case => [`-machine ${machine} -smp ${value}`, ['-machine', machine, '-smp', value]];

const X86_CASES: readonly Case[] = [
  ...[
    '1',
    '4',
    '2,maxcpus=4',
    'maxcpus=4',
    '4,sockets=2',
    '5,sockets=2',
    '6,sockets=2,cores=2',
    '4,threads=2',
    'cores=2,threads=2',
    '2,sockets=2,maxcpus=4',
    '2,maxcpus=1',
    'cpus=0',
    'sockets=0,cores=2',
    '4,dies=2',
    '8,sockets=2,dies=2,cores=2',
    '4,dies=1',
    '4,clusters=2',
    '4,clusters=1',
    '4,modules=2',
    '8,sockets=2,modules=2,cores=2',
    '4,drawers=2',
    '4,books=1',
    '0x4',
    'four',
    '4,sockets=x',
    '4,nope=1',
    '1,maxcpus=289',
  ].map((value) => smp('q35', value)),
  // Machine versions before 6.2 fill omitted sockets before cores.
  ...['4', '2,maxcpus=4', '4,cores=2', '8,sockets=2'].map((value) => smp('pc-q35-5.2', value)),
  ...['2,maxcpus=4', '1,maxcpus=255', '1,maxcpus=256'].map((value) => smp('pc', value)),
  ['-smp 2 -machine smp.cpus=3', ['-smp', '2', '-machine', 'q35,smp.cpus=3']],
  ['-machine smp.cpus=2,smp.maxcpus=4', ['-machine', 'q35,smp.cpus=2,smp.maxcpus=4']],
  ['-machine smp.cpus=0', ['-machine', 'q35,smp.cpus=0']],
  ['-machine smp.cpus=x', ['-machine', 'q35,smp.cpus=x']],
  ['-machine smp.nope=1', ['-machine', 'q35,smp.nope=1']],
  ['-smp 2 -smp maxcpus=4', ['-machine', 'q35', '-smp', '2', '-smp', 'maxcpus=4']],
  ['-cpu max -smp 2,maxcpus=3', ['-machine', 'q35', '-cpu', 'max', '-smp', '2,maxcpus=3']],
  ['-m 1G,slots=2,maxmem=4G -smp 2,sockets=2', ['-machine', 'q35', '-m', '1G,slots=2,maxmem=4G', '-smp', '2,sockets=2']],
  ...['pc', 'q35'].map((machine): Case => [
    `-machine ${machine} with a pc-dimm in one of two slots`,
    [
      '-machine',
      machine,
      '-m',
      '1G,slots=2,maxmem=4G',
      '-object',
      'memory-backend-ram,id=m0,size=128M',
      '-device',
      'pc-dimm,id=d0,memdev=m0',
      '-smp',
      '2,maxcpus=3',
    ],
  ]),
  ...[
    '-smp 2,sockets=2 -numa node,memdev=r0,cpus=0 -numa node,memdev=r1,cpus=1',
    '-smp 4,sockets=4 -numa node,memdev=r0 -numa node,memdev=r1',
    '-smp 2 -numa node,memdev=r0,cpus=0-2 -numa node,memdev=r1',
    '-smp 2,maxcpus=4 -numa node,memdev=r0,cpus=0 -numa node,memdev=r1,cpus=3',
    '-smp 2 -numa node,memdev=r0,cpus=x -numa node,memdev=r1',
    '-smp 2 -numa node,memdev=r0,cpus=0,cpus=1 -numa node,memdev=r1',
    '-smp 2 -numa cpu,node-id=0,socket-id=0 -numa node,memdev=r0 -numa node,memdev=r1',
    '-smp 2 -numa node,memdev=r0 -numa node,memdev=r1 -numa cpu,node-id=1,socket-id=5',
    '-smp 2 -numa node,memdev=r0 -numa node,memdev=r1 -numa cpu,socket-id=0',
    '-smp 2 -numa node,memdev=r0 -numa node,memdev=r1 -numa cpu,node-id=1,die-id=0',
    '-smp 2 -numa node,memdev=r0,cpus=0 -numa node,memdev=r1,cpus=0',
    '-smp 4,sockets=2,cores=2 -numa node,memdev=r0 -numa node,memdev=r1 -numa cpu,node-id=1,socket-id=0,core-id=1 -numa cpu,node-id=0,socket-id=1',
  ].map((text): Case => [
    `-machine q35 ${text}`,
    ['-machine', 'q35', '-m', '256M', '-object', 'memory-backend-ram,id=r0,size=128M', '-object', 'memory-backend-ram,id=r1,size=128M', ...text.split(' ')],
  ]),
  smp('pc,acpi=off', '1,maxcpus=2'),
  smp('q35,acpi=off', '1,maxcpus=2'),
];

const S390X_CASES: readonly Case[] = [
  ...['1', '2,maxcpus=4', '4,sockets=2', '4,dies=2', '4,dies=1', '8,drawers=2,sockets=4', '4,drawers=2', '4,books=1', '249', 'cpus=0'].map((value) =>
    smp('s390-ccw-virtio', value),
  ),
  smp('s390-ccw-virtio-7.2', '4,drawers=2'),
  smp('s390-ccw-virtio-6.0', '4,cores=2'),
];

/** query-cpus-fast's thread-id is the host thread's id: masked on both sides. */
function masked(t: Transcript): Transcript {
  const replies = t.replies.map((reply) =>
    'return' in reply && Array.isArray(reply.return)
      ? { return: (reply.return as Record<string, unknown>[]).map((cpu) => ('thread-id' in cpu ? { ...cpu, 'thread-id': 0 } : cpu)) }
      : reply,
  );
  return { ...t, replies };
}

function describeArch(arch: Arch, cases: readonly Case[]): void {
  describe(`conformance: -smp topologies, query-cpus-fast and query-hotpluggable-cpus, qemu-system-${arch}, every release`, function () {
    this.timeout(120_000);
    const qemus = realQemus(arch, 'all');
    const runs = new Map<string, Promise<Transcript>>();
    before(() => {
      const jobs = qemus.flatMap((q) =>
        isMissing(q) || !isModelled(q.release)
          ? []
          : cases.map(([name, args]) => ({ key: `${q.release} ${name}`, run: () => realTranscript(q.binary, upstreamArgs(q, args), SCRIPT) })),
      );
      pooled(
        2,
        jobs.map((j) => j.run),
      ).forEach((p, i) => runs.set(jobs[i]!.key, p));
    });
    for (const q of qemus) {
      describe(`QEMU ${q.release} (${q.suite})`, () => {
        for (const [name, args] of cases) {
          it(name, async function () {
            requireReal(this, q);
            requireModelled(this, q.release);
            const real = masked(await runs.get(`${q.release} ${name}`)!);
            assert.deepEqual(masked(hotmemTranscript(q.release, args, SCRIPT, arch)), real);
          });
        }
      });
    }
  });
}

describeArch('x86_64', X86_CASES);
describeArch('s390x', S390X_CASES);
