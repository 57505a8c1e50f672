import assert from 'node:assert/strict';
import { hotmemTranscript, type Reply, type Step } from '../../../conformance/transcripts.js';

const ask = (release: string, args: readonly string[], step: Step, arch: 'x86_64' | 's390x' = 'x86_64'): Reply =>
  hotmemTranscript(release, args, [step], arch).replies[0]!;
const error = (desc: string): Reply => ({ error: { class: 'GenericError', desc } });

const BACKENDS = [
  '-m',
  '1G',
  '-object',
  'memory-backend-ram,id=mem0,size=1G',
  '-object',
  'memory-backend-memfd,id=m1,size=2M,share=on,host-nodes=0,policy=bind,prealloc=on',
];
const ram = (id: string, size: number, extra: Record<string, unknown> = {}) => ({
  id,
  size,
  merge: true,
  dump: true,
  prealloc: false,
  'host-nodes': [],
  policy: 'default',
  ...extra,
});

/** Each row as the real binary of the release answered it (real-qemu conformance: qmp-queries.test.ts). */
const CASES: ReadonlyArray<readonly [release: string, args: readonly string[], step: Step, reply: Reply, arch?: 's390x']> = [
  ['7.2', [], ['query-name'], { return: {} }],
  ['7.2', ['-name', 'vm1,debug-threads=on', '-name', 'process=p'], ['query-name'], { return: { name: 'vm1' } }],
  ['7.2', [], ['query-uuid'], { return: { UUID: '00000000-0000-0000-0000-000000000000' } }],
  ['10.0', ['-uuid', '12345678-1234-1234-1234-123456789ABC'], ['query-uuid'], { return: { UUID: '12345678-1234-1234-1234-123456789abc' } }],
  ['10.0', [], ['query-target'], { return: { arch: 'x86_64' } }],
  ['10.0', [], ['query-target'], { return: { arch: 's390x' } }, 's390x'],
  ['10.0', [], ['query-kvm'], { return: { enabled: false, present: true } }],
  ['10.0', [], ['query-kvm'], { return: { enabled: false, present: false } }, 's390x'],
  ['10.0', [], ['query-current-machine'], { return: { 'wakeup-suspend-support': true } }],
  ['5.2', ['-machine', 'pc,acpi=off'], ['query-current-machine'], { return: { 'wakeup-suspend-support': false } }],
  ['10.0', [], ['query-current-machine'], { return: { 'wakeup-suspend-support': false } }, 's390x'],
  [
    '5.2',
    BACKENDS,
    ['query-memdev'],
    { return: [ram('m1', 2097152, { prealloc: true, 'host-nodes': [0], policy: 'bind' }), ram('pc.ram', 1073741824), ram('mem0', 1073741824)] },
  ],
  [
    '10.0',
    ['-machine', 'q35', ...BACKENDS],
    ['query-memdev'],
    {
      return: [
        ram('m1', 2097152, { prealloc: true, share: true, reserve: true, 'host-nodes': [0], policy: 'bind' }),
        ram('pc.ram', 1073741824, { share: false, reserve: true }),
        ram('mem0', 1073741824, { share: false, reserve: true }),
      ],
    },
  ],
  [
    '10.0',
    ['-m', '1G,slots=2,maxmem=4G'],
    ['query-acpi-ospm-status'],
    { return: [0, 1].map((slot) => ({ slot: String(slot), 'slot-type': 'DIMM', source: 0, status: 0 })) },
  ],
  ['10.0', [], ['query-acpi-ospm-status'], { return: [] }],
  ['7.2', ['-machine', 'pc,acpi=off'], ['query-acpi-ospm-status'], error('command is not supported, missing ACPI device')],
  ['10.0', [], ['query-acpi-ospm-status'], error('command is not supported, missing ACPI device'), 's390x'],
  ['10.0', [], ['query-pci'], error('hotmem does not model the command query-pci')],
];

describe('frontends/qmp/commands: the VM queries libvirt makes at start-up', () => {
  for (const [release, args, step, reply, arch] of CASES) {
    it(`${release}${arch ? ` ${arch}` : ''} ${args.join(' ')}: ${step[0]}`, () => assert.deepEqual(ask(release, args, step, arch), reply));
  }

  it('query-iothreads: each iothread with its thread and the AioContext parameters of the release', () => {
    const threads = (release: string) => ask(release, ['-object', 'iothread,id=io1', '-object', 'iothread,id=io2,poll-max-ns=100'], ['query-iothreads']);
    const strip = (reply: Reply) =>
      'return' in reply
        ? (reply.return as Record<string, unknown>[]).map(({ ['thread-id']: id, ...rest }) => (assert.equal(typeof id, 'number'), rest))
        : reply;
    const base = { 'poll-grow': 0, 'poll-shrink': 0 };
    assert.deepEqual(strip(threads('5.2')), [
      { id: 'io1', 'poll-max-ns': 32768, ...base },
      { id: 'io2', 'poll-max-ns': 100, ...base },
    ]);
    assert.deepEqual(strip(threads('11.1')), [
      { id: 'io1', 'poll-max-ns': 32768, 'poll-grow': 2, 'poll-shrink': 2, 'aio-max-batch': 0, 'poll-weight': 3 },
      { id: 'io2', 'poll-max-ns': 100, 'poll-grow': 2, 'poll-shrink': 2, 'aio-max-batch': 0, 'poll-weight': 3 },
    ]);
  });

  it('qom-list of a container walks its table: /objects and the empty machine containers', () => {
    assert.deepEqual(ask('10.0', BACKENDS, ['qom-list', { path: '/objects' }]), {
      return: [
        { name: 'type', type: 'string' },
        { name: 'm1', type: 'child<memory-backend-memfd>' },
        { name: 'pc.ram', type: 'child<memory-backend-ram>' },
        { name: 'mem0', type: 'child<memory-backend-ram>' },
      ],
    });
    assert.deepEqual(ask('10.0', [], ['qom-list', { path: '/machine/peripheral-anon' }]), { return: [{ name: 'type', type: 'string' }] });
  });
});
