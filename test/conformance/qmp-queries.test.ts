/**
 * The queries libvirt makes of a started VM (query-name, query-uuid, query-target, query-kvm,
 * query-current-machine, query-memdev, query-iothreads, query-acpi-ospm-status) and qom-list of
 * the containers they walk, against the real QEMU of every Debian suite. Replies are compared
 * as written, member order included; a thread's id is the host's and is masked.
 * Skips, saying so, where a root is missing.
 */
import { strict as assert } from 'node:assert';
import { qmpJson } from '../../src/frontends/qmp/json.js';
import { realQemus, requireReal } from './real-qemu.js';
import { hotmemTranscript, realTranscript, type Reply, type Step } from './transcripts.js';

const QUERIES: readonly Step[] = [
  ['query-name'],
  ['query-uuid'],
  ['query-target'],
  ['query-kvm'],
  ['query-current-machine'],
  ['query-memdev'],
  ['query-iothreads'],
  ['qom-list', { path: '/objects' }],
  ['qom-list', { path: '/machine/peripheral' }],
  ['qom-list', { path: '/machine/peripheral-anon' }],
];

/** Each command line with what it exercises; s390x runs the ones without -m slots. */
const CASES: ReadonlyArray<{ readonly what: string; readonly args: readonly string[]; readonly steps?: readonly Step[]; readonly x86Only?: true }> = [
  { what: 'no -name, -uuid or objects', args: [] },
  {
    what: 'named, with a UUID in upper case, backends and iothreads',
    args: [
      '-name',
      'vm1,debug-threads=on',
      '-uuid',
      '12345678-1234-1234-1234-123456789ABC',
      '-m',
      '1G',
      '-object',
      'iothread,id=io1',
      '-object',
      'memory-backend-ram,id=mem0,size=1G,merge=off,dump=off',
      '-object',
      'memory-backend-memfd,id=m1,size=2M,share=on,prealloc=on,host-nodes=0,policy=bind',
      '-object',
      'iothread,id=io2,poll-max-ns=100',
      '-object',
      'memory-backend-ram,id=a,size=1M',
      '-object',
      'memory-backend-ram,id=zz,size=2M',
    ],
  },
  {
    what: 'ten backends: the table grows past eight slots',
    args: ['q1', 'b7', 'x', 'longername', 'm', 'm2', 'm3', 'm4', 'm5'].flatMap((id) => ['-object', `memory-backend-ram,id=${id},size=1M`]),
  },
  {
    what: 'object-add and object-del leave tombstones',
    args: [],
    steps: [
      ...['alpha', 'beta', 'gamma', 'delta'].map((id): Step => ['object-add', { 'qom-type': 'memory-backend-ram', id, size: 1048576 }]),
      ['object-del', { id: 'beta' }],
      ['object-add', { 'qom-type': 'iothread', id: 'eta' }],
      ...QUERIES,
    ],
  },
  { what: 'DIMM slots', args: ['-m', '1G,slots=3,maxmem=4G'], steps: [['query-acpi-ospm-status']], x86Only: true },
  {
    what: 'acpi=off',
    args: ['-machine', 'pc,acpi=off', '-m', '1G,slots=1,maxmem=2G'],
    steps: [['query-acpi-ospm-status'], ['query-current-machine']],
    x86Only: true,
  },
  { what: 'no ACPI device', args: [], steps: [['query-acpi-ospm-status']] },
  {
    what: 'monitors of every kind (11.1 files them under /objects)',
    args: [
      ...['-chardev', 'null,id=c1', '-mon', 'chardev=c1,mode=control', '-chardev', 'null,id=c2', '-mon', 'chardev=c2'],
      ...['-chardev', 'null,id=cq', '-qmp', 'chardev:cq', '-monitor', 'null', '-chardev', 'null,id=c4', '-mon', 'chardev=c4,id=named'],
      ...['-chardev', 'null,id=free', '-object', 'memory-backend-ram,id=m0,size=1M'],
    ],
    steps: [
      ['qom-list', { path: '/objects' }],
      ['query-memdev'],
      ['qom-list', { path: '/objects/compat_monitor3' }],
      ['qom-get', { path: '/objects/compat_monitor1', property: 'chardev' }],
      ['qom-get', { path: '/objects/cq', property: 'pretty' }],
      ['qom-get', { path: '/objects/named', property: 'readline' }],
      ['object-add', { 'qom-type': 'monitor-hmp', id: 'n1', chardev: 'c2' }],
      ['object-add', { 'qom-type': 'monitor-qmp', id: 'n1', chardev: 'nope' }],
      ['object-add', { 'qom-type': 'monitor-qmp', id: 'n1' }],
      ['object-del', { id: 'compat_monitor0' }],
    ],
  },
];

/** The thread ids are the host's: masked in both transcripts. */
function written(replies: readonly Reply[]): string {
  return qmpJson(replies).replace(/"thread-id": \d+/g, '"thread-id": 0');
}

describe('conformance: VM queries by release', function () {
  this.timeout(120_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch, 'all')) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        for (const { what, args, steps, x86Only } of CASES) {
          if (x86Only && arch !== 'x86_64') continue;
          it(what, async function () {
            requireReal(this, q);
            // 11.1 lists a CPU slot per possible vCPU after the DIMMs (the smp model's part).
            const script = steps ?? QUERIES;
            const real = await realTranscript(q.binary, args, script);
            const hotmem = hotmemTranscript(q.release, args, script, arch);
            assert.equal(hotmem.stderr, real.stderr);
            const model = hotmem.replies;
            script.forEach(([command, commandArgs], i) => {
              assert.equal(written([model[i]!]), written([real.replies[i]!]), `${command} ${JSON.stringify(commandArgs ?? {})}`);
            });
          });
        }
      });
    }
  }
});
