import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../../src/cli/commands/run.js';
import { parseDefinition } from '../../../src/frontends/yaml/load.js';
import { runDefinition } from '../../../src/frontends/yaml/run.js';

const HEAD = ['host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }', 'machine: { type: pc-i440fx-7.2, accel: kvm, memory: 1GiB, maxmem: 8GiB }'];

const run = (...lines: string[]) => runDefinition(parseDefinition([...HEAD, ...lines].join('\n'), 'typo.yaml'), RUN_ENVIRONMENT);

describe("frontends/yaml: hints after QEMU's unknown-property message", () => {
  it("a device's misspelt property at start-up: QEMU's text, the key's place, the nearest name", () => {
    const report = run(
      'objects: [{ type: memory-backend-ram, id: m0, size: 1GiB }]',
      'devices:',
      '  - { driver: virtio-mem-pci, id: vm0, memdev: m0, requestd-size: 0 }',
    );
    assert.equal(report.steps[0]!.result, "Property 'virtio-mem-pci.requestd-size' not found", "the result (a matrix observation) is QEMU's text");
    assert.deepEqual(report.steps[0]!.failures, [
      "start-up failed: Property 'virtio-mem-pci.requestd-size' not found (typo.yaml:5:52: unknown key 'requestd-size' at devices[0]; did you mean 'requested-size'?)",
    ]);
  });

  it("a backend's misspelt property at start-up", () => {
    const report = run('objects:', '  - { type: memory-backend-ram, id: m0, size: 1GiB, sharee: true }');
    assert.equal(report.steps[0]!.hint, "(typo.yaml:4:53: unknown key 'sharee' at objects[0]; did you mean 'share'?)");
  });

  it('a device-add step, and an error expectation still matches QEMU’s text alone', () => {
    const report = run(
      'objects: [{ type: memory-backend-ram, id: m0, size: 1GiB }]',
      'steps:',
      '  - device-add: { driver: virtio-mem-pci, id: vm0, memdev: m0, requestd-size: 0 }',
      '  - expect: { error: "Property \'virtio-mem-pci.requestd-size\' not found" }',
    );
    assert.equal(report.steps[0]!.result, "error: Property 'virtio-mem-pci.requestd-size' not found");
    assert.equal(report.steps[0]!.hint, "(typo.yaml:5:64: unknown key 'requestd-size' at steps[0].device-add; did you mean 'requested-size'?)");
    assert.equal(report.failures, 0);
  });

  it('a set step names its own place; a far-off name gets no suggestion', () => {
    const report = run(
      'objects: [{ type: memory-backend-ram, id: m0, size: 1GiB }]',
      'devices: [{ driver: virtio-mem-pci, id: vm0, memdev: m0 }]',
      'steps:',
      '  - set: { path: vm0, property: requsted-size, value: 0 }',
      '  - set: { path: vm0, property: frobnicate, value: 0 }',
    );
    assert.equal(report.steps[0]!.hint, "(typo.yaml:6:5: did you mean 'requested-size'?)");
    assert.equal(report.steps[1]!.hint, '(typo.yaml:7:5)');
  });
});
