/** query-machines' MachineInfo: class attributes by machine version, members by release. */
import { strict as assert } from 'node:assert';
import { release } from '../../src/core/release.js';
import type { MachineTypeEntry } from '../../src/machine/catalog.js';
import { machineInfo } from '../../src/machine/machine-info.js';

const entry = (name: string, family: string, version?: string): MachineTypeEntry => {
  const [major, minor] = (version ?? '').split('.').map(Number);
  return { name, family, version: version === undefined ? undefined : { major: major!, minor: minor! }, description: '', deprecationReason: undefined };
};

describe('machine/machine-info', () => {
  const CASES: readonly { readonly at: string; readonly m: MachineTypeEntry; readonly expect: Record<string, unknown> }[] = [
    { at: '7.2', m: entry('pc-q35-2.7', 'pc-q35', '2.7'), expect: { 'cpu-max': 255, acpi: undefined } },
    { at: '7.2', m: entry('pc-q35-7.2', 'pc-q35', '7.2'), expect: { 'cpu-max': 288, acpi: undefined } },
    { at: '8.0', m: entry('pc-q35-8.0', 'pc-q35', '8.0'), expect: { 'cpu-max': 288, acpi: true } },
    { at: '10.0', m: entry('pc-q35-8.2', 'pc-q35', '8.2'), expect: { 'cpu-max': 1024, acpi: true } },
    { at: '10.0', m: entry('pc-q35-9.0', 'pc-q35', '9.0'), expect: { 'cpu-max': 4096, acpi: true } },
    { at: '10.0', m: entry('s390-ccw-virtio-10.0', 's390-ccw-virtio', '10.0'), expect: { 'cpu-max': 248, acpi: false } },
    { at: '10.0', m: entry('none', 'none'), expect: { 'cpu-max': 1, acpi: false } },
    { at: '5.2', m: entry('xenfv-4.2', 'xenfv-4.2'), expect: { 'cpu-max': 128, 'numa-mem-supported': true, 'default-ram-id': 'pc.ram' } },
  ];
  for (const { at, m, expect } of CASES) {
    it(`${m.name} in ${at}`, () => {
      const info = machineInfo(m, release(at));
      assert.deepEqual(Object.fromEntries(Object.keys(expect).map((k) => [k, info[k]])), expect);
    });
  }
});
