import assert from 'node:assert/strict';
import { machineVersion } from '../../src/machine/machine-type-reads.js';
import { isHotmemError } from '../../src/core/errors.js';
import { release } from '../../src/core/release.js';
import { computeTopology, possibleCpus, smpConfig, smpConfiguration, smpMachineRules, type CpuTopology } from '../../src/machine/smp.js';

type Family = 'pc-i440fx' | 'pc-q35' | 's390-ccw-virtio';

/** -smp as written, parsed into members as the option parsers hand them over. */
const config = (text: string) =>
  smpConfig(
    text === ''
      ? []
      : text.split(',').map((entry) => (entry.includes('=') ? { name: entry.split('=')[0]!, value: entry.split('=')[1]! } : { name: 'cpus', value: entry })),
  );

function topology(rel: string, family: Family, version: string, text: string, maxCpus = 288) {
  const rules = smpMachineRules(family, machineVersion(release(version), undefined), release(rel), `m-${version}`, maxCpus);
  return computeTopology(config(text), rules, release(rel));
}

/** The levels QEMU prints: `cpus/maxcpus sockets.dies.modules.cores.threads` (drawers.books first on s390x). */
function brief(t: CpuTopology, family: Family): string {
  const levels = family === 's390-ccw-virtio' ? [t.drawers, t.books, t.sockets, t.cores, t.threads] : [t.sockets, t.dies, t.modules, t.cores, t.threads];
  return `${t.cpus}/${t.maxCpus} ${levels.join('.')}`;
}

describe('machine/smp', () => {
  // release, family, machine version, -smp -> cpus/maxcpus and levels, warnings (as the binaries report them)
  const ACCEPTED: ReadonlyArray<readonly [string, Family, string, string, string, readonly string[]]> = [
    ['10.0', 'pc-q35', '10.0', '', '1/1 1.1.1.1.1', []],
    ['5.2', 'pc-q35', '5.2', '', '1/1 1.1.1.1.1', []],
    ['10.0', 'pc-q35', '10.0', '2,maxcpus=4', '2/4 1.1.1.4.1', []],
    // before 6.2 machine versions fill sockets first
    ['10.0', 'pc-q35', '5.2', '2,maxcpus=4', '2/4 4.1.1.1.1', []],
    ['5.2', 'pc-q35', '5.2', '2,maxcpus=4', '2/4 4.1.1.1.1', []],
    ['5.2', 'pc-q35', '5.2', '4,cores=2', '4/4 2.1.1.2.1', []],
    ['10.0', 'pc-q35', '10.0', 'maxcpus=4', '4/4 1.1.1.4.1', []],
    ['10.0', 'pc-q35', '10.0', 'cores=2,threads=2', '4/4 1.1.1.2.2', []],
    ['10.0', 'pc-q35', '10.0', '8,sockets=2,dies=2,cores=2', '8/8 2.2.1.2.1', []],
    ['10.0', 'pc-q35', '10.0', '8,sockets=2,modules=2,cores=2', '8/8 2.1.2.2.1', []],
    ['10.0', 'pc-q35', '10.0', '4,clusters=1', '4/4 1.1.1.4.1', []],
    ['7.2', 'pc-q35', '7.2', 'cpus=0', '1/1 1.1.1.1.1', ['Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero']],
    [
      '9.0',
      'pc-q35',
      '9.0',
      '4,clusters=1',
      '4/4 1.1.1.4.1',
      ["Deprecated CPU topology (considered invalid): Unsupported clusters parameter mustn't be specified as 1"],
    ],
    // 5.2's generic smp_parse never reads dies
    ['5.2', 's390-ccw-virtio', '5.2', '4,dies=2', '4/4 1.1.4.1.1', []],
    ['10.0', 's390-ccw-virtio', '10.0', '8,drawers=2,sockets=4', '8/8 2.1.4.1.1', []],
    // C's unsigned: only the low 32 bits of a member count
    ['10.0', 'pc-q35', '10.0', '4294967298', '2/2 1.1.1.2.1', []],
  ];
  for (const [rel, family, machineVersion, text, expected, warnings] of ACCEPTED) {
    it(`${rel} ${family}-${machineVersion} -smp '${text}': ${expected}`, () => {
      const computed = topology(rel, family, machineVersion, text);
      assert.deepEqual({ topology: brief(computed.topology, family), warnings: computed.warnings.map((w) => w.message) }, { topology: expected, warnings });
    });
  }

  // release, family, machine version, -smp -> QEMU's message
  const REFUSED: ReadonlyArray<readonly [string, Family, string, string, string]> = [
    ['5.2', 'pc-q35', '5.2', '5,sockets=2', 'Invalid CPU topology deprecated: sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (5)'],
    ['5.2', 's390-ccw-virtio', '5.2', '5,sockets=2', 'Invalid CPU topology: sockets (2) * cores (2) * threads (1) != maxcpus (5)'],
    ['5.2', 'pc-q35', '5.2', '6,sockets=2,cores=2,threads=1', 'cpu topology: sockets (2) * dies (1) * cores (2) * threads (1) < smp_cpus (6)'],
    ['5.2', 'pc-q35', '5.2', '2,maxcpus=1', 'maxcpus must be equal to or greater than smp'],
    ['6.1', 's390-ccw-virtio', '6.1', '4,dies=2', "dies not supported by this machine's CPU topology"],
    [
      '7.2',
      'pc-q35',
      '7.2',
      '5,sockets=2',
      'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (5)',
    ],
    [
      '10.0',
      'pc-q35',
      '10.0',
      '2,maxcpus=1',
      'Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * dies (1) * modules (1) * cores (1) * threads (1) == maxcpus (1) < smp_cpus (2)',
    ],
    ['7.2', 'pc-q35', '7.2', '4,clusters=2', "clusters not supported by this machine's CPU topology"],
    ['7.2', 's390-ccw-virtio', '7.2', '4,dies=2', "dies not supported by this machine's CPU topology"],
    ['9.0', 'pc-q35', '9.0', '4,books=2', "books not supported by this machine's CPU topology"],
    ['10.0', 'pc-q35', '10.0', '4,drawers=2', "drawers > 1 not supported by this machine's CPU topology"],
    ['10.0', 's390-ccw-virtio', '7.2', '4,drawers=2', "drawers > 1 not supported by this machine's CPU topology"],
    ['9.0', 'pc-q35', '9.0', 'cpus=0', 'Invalid CPU topology: CPU topology parameters must be greater than zero'],
    ['11.1', 'pc-q35', '10.0', 'sockets=0,cores=2', 'Invalid CPU topology: CPU topology parameters must be greater than zero'],
    ['10.0', 'pc-q35', '10.0', '300', "Invalid SMP CPUs 300. The max CPUs supported by machine 'm-10.0' is 288"],
    ['5.2', 'pc-q35', '5.2', '1,maxcpus=289', "Invalid SMP CPUs 289. The max CPUs supported by machine 'm-5.2' is 288"],
  ];
  for (const [rel, family, machineVersion, text, message] of REFUSED) {
    it(`${rel} ${family}-${machineVersion} -smp '${text}' is refused: ${message}`, () => {
      assert.throws(
        () => topology(rel, family, machineVersion, text),
        (e: unknown) => isHotmemError(e) && e.message === message,
      );
    });
  }

  it('x86 possible CPUs: ids from the index, die-id and module-id only when there is more than one', () => {
    const t = topology('10.0', 'pc-q35', '10.0', '2,sockets=2,dies=2,cores=1,threads=2,maxcpus=8').topology;
    assert.deepEqual(
      possibleCpus(t, 'x86_64', release('10.0')).map((c) => c.props),
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ 'socket-id': i >> 2, 'die-id': (i >> 1) & 1, 'core-id': 0, 'thread-id': i & 1 })),
    );
  });

  it('s390x possible CPUs: the core-id is the index; drawer, book and socket from 8.2', () => {
    const t = topology('10.0', 's390-ccw-virtio', '10.0', '1,drawers=2,books=1,sockets=2,cores=2,maxcpus=8').topology;
    assert.deepEqual(possibleCpus(t, 's390x', release('10.0'))[7]!.props, { 'drawer-id': 1, 'book-id': 0, 'socket-id': 1, 'core-id': 7 });
    const old = topology('7.2', 's390-ccw-virtio', '7.2', '2,maxcpus=4').topology;
    assert.deepEqual(
      possibleCpus(old, 's390x', release('7.2')).map((c) => c.props),
      [0, 1, 2, 3].map((i) => ({ 'core-id': i })),
    );
  });

  it("qom-get /machine smp: the release's SMPConfiguration members (clusters 7.0, drawers and books 8.2, modules 9.1)", () => {
    const topology: CpuTopology = { cpus: 2, maxCpus: 4, drawers: 1, books: 1, sockets: 1, dies: 1, clusters: 1, modules: 1, cores: 4, threads: 1 };
    const members = (v: string) => Object.keys(smpConfiguration(topology, release(v))).sort();
    assert.deepEqual(members('7.2'), ['clusters', 'cores', 'cpus', 'dies', 'maxcpus', 'sockets', 'threads']);
    assert.deepEqual(members('8.2'), ['books', 'clusters', 'cores', 'cpus', 'dies', 'drawers', 'maxcpus', 'sockets', 'threads']);
    assert.deepEqual(smpConfiguration(topology, release('10.0')), {
      cpus: 2,
      maxcpus: 4,
      drawers: 1,
      books: 1,
      sockets: 1,
      dies: 1,
      clusters: 1,
      modules: 1,
      cores: 4,
      threads: 1,
    });
  });
});
