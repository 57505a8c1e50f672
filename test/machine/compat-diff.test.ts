import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { compatDiff } from '../../src/machine/compat-diff.js';

describe('machine/compat-diff: compare-machine-types', () => {
  const binary = qemuBinary(new Map([['qemu-version', '8.1']]));
  const diff = (a: string, b: string, raw = false, ra = '8.1', rb = '8.1') =>
    compatDiff(
      binary.environment.catalog,
      binary.environment.registry,
      [
        { release: release(ra), arch: 'x86_64', machine: a },
        { release: release(rb), arch: 'x86_64', machine: b },
      ],
      raw,
    );
  const row = (rows: ReturnType<typeof diff>, driver: string, property: string) => rows.find((r) => r.driver === driver && r.property === property)?.values;

  it('shows the unplugged-inaccessible change between pc-q35-6.2 and pc-q35-7.0', () => {
    assert.deepEqual(row(diff('pc-q35-6.2', 'pc-q35-7.0'), 'virtio-mem', 'unplugged-inaccessible'), ['off', 'auto']);
  });

  it('resolves a side without an entry to the class default of its release (8.1: on)', () => {
    assert.deepEqual(row(diff('pc-q35-8.0', 'pc-q35-8.1'), 'virtio-mem', 'unplugged-inaccessible'), ['auto', 'on']);
    assert.deepEqual(row(diff('pc-q35-8.0', 'pc-q35-8.1', true), 'virtio-mem', 'unplugged-inaccessible'), ['auto', undefined]);
  });

  it('lists nothing for a machine type against itself, and release differences for one type on two releases', () => {
    assert.deepEqual(diff('pc-q35-7.2', 'pc-q35-7.2'), []);
    assert.deepEqual(row(diff('pc-q35-7.2', 'pc-q35-7.2', true, '7.2', '8.1'), 'virtio-mem', 'x-early-migration'), [undefined, 'false']);
  });
});
