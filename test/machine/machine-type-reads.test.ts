import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine.js';
import { machineVersion, type MachineTypeReads } from '../../src/machine/machine-type-reads.js';
import { testEnvironment } from './fixtures.js';

function recorder() {
  const versions: string[] = [];
  const stored: string[] = [];
  const reads: MachineTypeReads = {
    versionAtLeast: (major, minor, answer) => versions.push(`>=${major}.${minor}:${String(answer)}`),
    read: (obj, property) => stored.push(`${obj.type}.${property}`),
    compatLookup: (driver, property) => stored.push(`compat ${driver}.${property}`),
  };
  return { reads, versions, stored };
}

describe('machine/machine-type-reads', () => {
  it('answers each threshold from the version and tells the watcher the answer', () => {
    const { reads, versions } = recorder();
    const v = machineVersion({ major: 2, minor: 12 }, reads);
    assert.deepEqual([v.atLeast(2, 12), v.atLeast(2, 13), v.atLeast(3, 0), v.atLeast(1, 99)], [true, false, false, true]);
    assert.deepEqual(versions, ['>=2.12:true', '>=2.13:false', '>=3.0:false', '>=1.99:true']);
  });

  it('hears every threshold a start asks of its machine version and the stored values it reads', () => {
    const { reads, versions, stored } = recorder();
    Machine.start({ release: '8.1', arch: 'x86_64', machine: 'pc-q35-8.1', memory: 'size=1G,slots=1,maxmem=2G' }, { ...testEnvironment(), reads });
    // q35's max_cpus, the NUMA auto-enable and default NIC thresholds among them.
    for (const asked of ['>=9.0:false', '>=8.1:true', '>=5.1:true', '>=2.12:true']) assert.ok(versions.includes(asked), `${asked} in ${versions.join(' ')}`);
    assert.ok(stored.includes('pc-q35-8.1-machine.max-ram-below-4g'), stored.join(' '));
  });

  it('tells two machine versions apart only by the thresholds asked', () => {
    const asked = (major: number, minor: number) => {
      const { reads, versions } = recorder();
      Machine.start({ release: '8.1', arch: 'x86_64', machine: `pc-q35-${major}.${minor}`, memory: '1G' }, { ...testEnvironment(), reads });
      return versions;
    };
    assert.deepEqual(asked(7, 1), asked(7, 2));
  });
});
