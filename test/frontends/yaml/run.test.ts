/**
 * The runner's migrate step: the destination's steps run once the migration completed, and a
 * migration that hangs fails the destination expectations it kept from running.
 */
import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../../src/cli/commands/run.js';
import { parseDefinition } from '../../../src/frontends/yaml/load.js';
import { runDefinition } from '../../../src/frontends/yaml/run.js';

/** The postcopy storage-key seed on a host kernel, with a destination expectation. */
const storageKeys = (kernel: string) => `
host: { arch: s390x, kernel: ${kernel}, qemu: "7.2" }
machine: { type: s390-ccw-virtio-7.2, accel: kvm, memory: 1GiB }
guest: { kernel: "6.1" }
steps:
  - guest: { write: { start: 0, size: 256MiB } }
  - migrate:
      postcopy: true
      bandwidth: 128MiB
      during:
        - { at-ms: 100, do: { read: { block: s390.ram, offset: 768MiB, size: 4KiB } } }
        - { at-ms: 1000, do: { storage-keys: enable } }
        - { at-ms: 1500, do: { read: { block: s390.ram, offset: 768MiB, size: 4KiB } } }
      on-destination:
        - expect: { rss-anon: { at-least: 256MiB } }
`;

describe('frontends/yaml/run: migrate', () => {
  it('runs the on-destination steps on the destination once the migration completed', () => {
    const report = runDefinition(parseDefinition(storageKeys('linux-4.14'), 'vm.yaml'), RUN_ENVIRONMENT);
    assert.deepEqual(
      report.steps.map((s) => [s.step, s.failures.length]),
      [
        ['guest', 0],
        ['migrate', 0],
        ['destination expect', 0],
      ],
    );
    assert.equal(report.steps[2]!.rss, 256 * 1024 * 1024, "the destination's figures, not the source's 1 GiB");
  });

  it('fails the destination expectations a hung migration kept from running', () => {
    const report = runDefinition(parseDefinition(storageKeys('linux-4.9'), 'vm.yaml'), RUN_ENVIRONMENT);
    assert.equal(report.steps.length, 2);
    assert.equal(report.failures, 1);
    assert.match(report.steps[1]!.failures[0]!, /^1 destination expect step\(s\) did not run: migration hung at s390\.ram\+0x30000000: storage-keys /);
  });
});
