import assert from 'node:assert/strict';
import type { Arch } from '../../../src/core/arch.js';
import { hotmemTranscript } from '../../conformance/transcripts.js';

describe('frontends/qmp: query-memory-size-summary reports plugged-memory only where the build has memory devices', () => {
  // release, arch, machine → reply (real 5.2.0, 7.2.22 and 10.0.13 answer the same)
  const CASES: ReadonlyArray<readonly [string, Arch, string, Record<string, number>]> = [
    ['5.2', 's390x', 's390-ccw-virtio', { 'base-memory': 2 ** 30 }],
    ['9.2', 's390x', 's390-ccw-virtio', { 'base-memory': 2 ** 30 }],
    ['10.0', 's390x', 's390-ccw-virtio', { 'base-memory': 2 ** 30, 'plugged-memory': 0 }],
    ['5.2', 'x86_64', 'pc', { 'base-memory': 2 ** 30, 'plugged-memory': 0 }],
  ];
  for (const [release, arch, machine, reply] of CASES) {
    it(`${release} ${arch} ${machine}: ${JSON.stringify(reply)}`, () => {
      const t = hotmemTranscript(release, ['-M', machine, '-m', '1G'], [['query-memory-size-summary']], arch);
      assert.deepEqual(t.replies, [{ return: reply }]);
    });
  }
});
