import assert from 'node:assert/strict';
import { machineVersion } from '../../src/machine/machine-type-reads.js';
import { isHotmemError } from '../../src/core/errors.js';
import { release } from '../../src/core/release.js';
import { CpuNodeAssignment, parseCpuIndexes } from '../../src/machine/numa-cpus.js';
import { computeTopology, possibleCpus, smpConfig, smpMachineRules } from '../../src/machine/smp.js';

/** Possible CPUs of pc-q35-10.0 with -smp cpus,sockets=S,cores=C,maxcpus=M. */
function assignment(cpus: number, sockets: number, cores: number, maxcpus = cpus): CpuNodeAssignment {
  const r = release('10.0');
  const config = smpConfig(Object.entries({ cpus, sockets, cores, maxcpus }).map(([name, v]) => ({ name, value: String(v) })));
  const { topology } = computeTopology(config, smpMachineRules('pc-q35', machineVersion(r, undefined), r, 'pc-q35-10.0', 4096), r);
  return new CpuNodeAssignment(possibleCpus(topology, 'x86_64', r), topology.maxCpus);
}
const nodeIds = (a: CpuNodeAssignment, nodes: number) => a.finish(nodes).slots.map((s) => s.props['node-id']);
const refuses = (step: () => void, message: string) => assert.throws(step, (e: unknown) => isHotmemError(e) && e.message === message);

describe('machine/numa-cpus', () => {
  it('without assignments each socket goes to its node modulo the node count; without nodes there is no node-id', () => {
    assert.deepEqual(nodeIds(assignment(4, 4, 1), 2), [0, 1, 0, 1]);
    assert.deepEqual(assignment(2, 2, 1).finish(0).slots[0]!.props, { 'socket-id': 0, 'core-id': 0, 'thread-id': 0 });
  });

  it('-numa node,cpus= and -numa cpu assign slots; the rest fall to node 0 with the two warnings', () => {
    const a = assignment(2, 2, 2, 4);
    a.assignIndexes(1, parseCpuIndexes(['0-1']));
    a.assign(0, { 'socket-id': 1, 'core-id': 0 });
    const { slots, warnings } = a.finish(2);
    assert.deepEqual(
      slots.map((s) => s.props['node-id']),
      [1, 1, 0, 0],
    );
    assert.deepEqual(
      warnings.map((w) => w.message),
      [
        'CPU(s) not present in any NUMA nodes: CPU 3 [socket-id: 1, core-id: 1, thread-id: 0]',
        'All CPU(s) up to maxcpus should be described in NUMA config, ability to start up with partial NUMA mappings is obsoleted and will be removed in future',
      ],
    );
  });

  // what goes wrong -> QEMU's message
  const REFUSED: ReadonlyArray<readonly [string, (a: CpuNodeAssignment) => void, string]> = [
    ['an index past maxcpus', (a) => a.assignIndexes(0, [2]), 'CPU index (2) should be smaller than maxcpus (2)'],
    [
      'a CPU given to a second node',
      (a) => {
        a.assignIndexes(0, [0]);
        a.assignIndexes(1, [0]);
      },
      'CPU is already assigned to node-id: 0',
    ],
    ['ids that match no slot', (a) => a.assign(0, { 'socket-id': 5 }), 'no match found'],
    ['an id the board has not', (a) => a.assign(0, { 'die-id': 0 }), 'die-id is not supported'],
  ];
  for (const [name, step, message] of REFUSED) it(`refuses ${name}: ${message}`, () => refuses(() => step(assignment(2, 2, 1)), message));

  it("parses the options visitor's uint16 list", () => {
    assert.deepEqual(parseCpuIndexes(['0-2', '5']), [0, 1, 2, 5]);
    refuses(() => parseCpuIndexes(['x']), "Parameter 'cpus' expects a uint64 value or range");
    refuses(() => parseCpuIndexes(['2-1']), "Parameter 'cpus' expects a uint64 value or range");
  });
});
