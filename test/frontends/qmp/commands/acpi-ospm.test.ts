import assert from 'node:assert/strict';
import { hotmemTranscript, type Reply } from '../../../conformance/transcripts.js';

const DIMM = ['-m', '1G,slots=2,maxmem=4G', '-object', 'memory-backend-ram,id=m0,size=128M', '-device', 'pc-dimm,id=d0,memdev=m0'];
const slot = (type: 'DIMM' | 'CPU', n: number, device?: string) => ({
  ...(device ? { device } : {}),
  slot: String(n),
  'slot-type': type,
  source: 0,
  status: 0,
});
const missing: Reply = { error: { class: 'GenericError', desc: 'command is not supported, missing ACPI device' } };

describe('frontends/qmp/commands/acpi-ospm', () => {
  // release, arch, arguments -> reply
  const CASES: ReadonlyArray<readonly [string, 'x86_64' | 's390x', readonly string[], Reply]> = [
    ['10.0', 'x86_64', ['-machine', 'q35', ...DIMM, '-smp', '1,maxcpus=2'], { return: [slot('DIMM', 0, 'd0'), slot('DIMM', 1)] }],
    [
      '11.1',
      'x86_64',
      ['-machine', 'pc', ...DIMM, '-smp', '1,maxcpus=2'],
      { return: [slot('DIMM', 0, 'd0'), slot('DIMM', 1), slot('CPU', 0), slot('CPU', 1)] },
    ],
    ['11.1', 'x86_64', ['-machine', 'q35,acpi=off'], { return: [slot('CPU', 0)] }],
    ['5.2', 'x86_64', ['-machine', 'pc'], { return: [] }],
    ['5.2', 'x86_64', ['-machine', 'pc,acpi=off'], missing],
    ['11.1', 's390x', [], missing],
  ];
  for (const [release, arch, args, reply] of CASES) {
    it(`${release} ${arch} ${args.join(' ')}: ${JSON.stringify(reply)}`, () => {
      assert.deepEqual(hotmemTranscript(release, args, [['query-acpi-ospm-status']], arch).replies[0], reply);
    });
  }
});
