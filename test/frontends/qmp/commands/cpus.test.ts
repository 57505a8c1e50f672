import assert from 'node:assert/strict';
import { hotmemTranscript } from '../../../conformance/transcripts.js';

type Cpu = Record<string, unknown>;

function replies(release: string, args: readonly string[], arch: 'x86_64' | 's390x' = 'x86_64'): { fast: Cpu[]; hotpluggable: Cpu[]; unattached: string[] } {
  const t = hotmemTranscript(release, args, [['query-cpus-fast'], ['query-hotpluggable-cpus'], ['qom-list', { path: '/machine/unattached' }]], arch);
  const value = (i: number) => {
    const reply = t.replies[i]!;
    assert.ok('return' in reply, JSON.stringify(reply));
    return reply.return as Cpu[];
  };
  return {
    fast: value(0),
    hotpluggable: value(1),
    unattached: value(2)
      .map((p) => `${String(p['name'])} ${String(p['type'])}`)
      .sort(),
  };
}

describe('frontends/qmp/commands/cpus', () => {
  it('x86_64: each vCPU with its own host thread, kvmvapic after cpu0, hotpluggable slots last first', () => {
    const { fast, hotpluggable, unattached } = replies('10.0', ['-smp', '2,maxcpus=3']);
    assert.deepEqual(unattached, ['device[0] child<qemu64-x86_64-cpu>', 'device[1] child<kvmvapic>', 'device[2] child<qemu64-x86_64-cpu>', 'type string']);
    assert.deepEqual(
      fast.map((c) => [c['cpu-index'], c['qom-path'], c['target'], 'arch' in c, 'qom-type' in c]),
      [
        [0, '/machine/unattached/device[0]', 'x86_64', false, false],
        [1, '/machine/unattached/device[2]', 'x86_64', false, false],
      ],
    );
    assert.equal(fast[1]!['thread-id'], (fast[0]!['thread-id'] as number) + 1);
    assert.deepEqual(
      hotpluggable.map((c) => [c['type'], c['vcpus-count'], (c['props'] as Cpu)['core-id'], c['qom-path']]),
      [
        ['qemu64-x86_64-cpu', 1, 2, undefined],
        ['qemu64-x86_64-cpu', 1, 1, '/machine/unattached/device[2]'],
        ['qemu64-x86_64-cpu', 1, 0, '/machine/unattached/device[0]'],
      ],
    );
  });

  // release -> CpuInfoFast's release-dependent members
  const MEMBERS: ReadonlyArray<readonly [string, 'x86_64' | 's390x', Cpu]> = [
    ['5.2', 'x86_64', { arch: 'x86' }],
    ['5.2', 's390x', { arch: 's390', 'cpu-state': 'operating' }],
    ['7.2', 's390x', { 'cpu-state': 'operating' }],
    ['10.1', 'x86_64', { 'qom-type': 'max-x86_64-cpu' }],
    ['11.1', 's390x', { 'cpu-state': 'operating', 'qom-type': 'max-s390x-cpu' }],
  ];
  for (const [release, arch, members] of MEMBERS) {
    it(`${release} ${arch}: query-cpus-fast has ${Object.keys(members).join(', ')}`, () => {
      const cpu = replies(release, ['-cpu', 'max'], arch).fast[0]!;
      const extra = Object.fromEntries(Object.entries(cpu).filter(([k]) => !['cpu-index', 'qom-path', 'thread-id', 'props', 'target'].includes(k)));
      assert.deepEqual(extra, members);
    });
  }

  it('s390x: the boot CPU operates, the others wait stopped for the guest', () => {
    assert.deepEqual(
      replies('10.0', ['-smp', '3'], 's390x').fast.map((c) => c['cpu-state']),
      ['operating', 'stopped', 'stopped'],
    );
  });

  it('-machine smp.X merges with -smp, the later member winning (7.2+)', () => {
    assert.equal(replies('10.0', ['-smp', '2,maxcpus=4', '-machine', 'q35,smp.cpus=3']).fast.length, 3);
  });
});
