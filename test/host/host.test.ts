import assert from 'node:assert/strict';
import { Host } from '../../src/host/host.js';

describe('host/host: CPUs by NUMA node', () => {
  // options -> [numaNodes, nodeCpus] or the refusal
  const CASES: ReadonlyArray<readonly [ConstructorParameters<typeof Host>[0], readonly [number, number[][]] | string]> = [
    [{}, [1, [[0, 1]]]],
    [
      { numaNodes: 2 },
      [
        2,
        [
          [0, 1],
          [2, 3],
        ],
      ],
    ],
    [{ nodeCpus: [[0, 2], [1, 3], []] }, [3, [[0, 2], [1, 3], []]]],
    [{ numaNodes: 2, nodeCpus: [[0]] }, 'nodeCpus lists 1 NUMA nodes, the host has 2'],
    [{ nodeCpus: [[-1]] }, 'nodeCpus holds a CPU number that is not a non-negative integer'],
  ];
  for (const [options, expected] of CASES) {
    it(`${JSON.stringify(options)}: ${JSON.stringify(expected)}`, () => {
      if (typeof expected === 'string') assert.throws(() => new Host(options), { message: expected });
      else {
        const host = new Host(options);
        assert.deepEqual([host.numaNodes, host.nodeCpus], expected);
      }
    });
  }
});
