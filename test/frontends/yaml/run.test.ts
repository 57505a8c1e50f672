/**
 * The runner's migrate step: the destination's steps run once the migration completed, and a
 * migration that hangs fails the destination expectations it kept from running. The guest
 * section's settings reach the guest.
 */
import assert from 'node:assert/strict';
import { RUN_ENVIRONMENT } from '../../../src/cli/commands/run.js';
import { parseDefinition } from '../../../src/frontends/yaml/load.js';
import { runDefinition } from '../../../src/frontends/yaml/run.js';
import { MiB } from '../../../src/core/units.js';
import type { LinuxGuest } from '../../../src/guest/linux-guest.js';
import { VIRTIO_BALLOON_F_PAGE_POISON } from '../../../devices/virtio-balloon/features.js';

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

  it('the guest moves to the destination: its steps there act on the destination', () => {
    const text = `
host: { arch: x86_64, kernel: linux-6.12, qemu: "10.0" }
machine: { type: pc-q35-10.0, accel: kvm, memory: 1GiB }
devices:
  - { driver: virtio-balloon-pci, id: balloon0, free-page-reporting: on }
guest: { kernel: "6.12" }
steps:
  - guest: { write-file: 256M }
  - migrate:
      on-destination:
        - guest: { remove-file: {} }
`;
    const report = runDefinition(parseDefinition(text, 'vm.yaml'), RUN_ENVIRONMENT);
    assert.deepEqual(
      report.steps.map((s) => [s.step, s.failures.length]),
      [
        ['guest', 0],
        ['migrate', 0],
        ['destination guest', 0],
      ],
    );
    // The file's pages arrived with the guest and are reported free on the destination.
    assert.equal(report.steps[2]!.result, 'guest removed its file; RSS -256 MiB');
  });

  it('fails the destination expectations a hung migration kept from running', () => {
    const report = runDefinition(parseDefinition(storageKeys('linux-4.9'), 'vm.yaml'), RUN_ENVIRONMENT);
    assert.equal(report.steps.length, 2);
    assert.equal(report.failures, 1);
    assert.match(report.steps[1]!.failures[0]!, /^1 destination expect step\(s\) did not run: migration hung at s390\.ram\+0x30000000: storage-keys /);
  });
});

/** A guest that writes a 256 MiB tmpfs file and removes it, with free page reporting on or off. */
const fileCycle = (reporting: 'on' | 'off') => `
host: { arch: x86_64, kernel: linux-6.12, qemu: "10.0" }
machine: { type: pc-q35-10.0, accel: kvm, memory: 1GiB }
devices:
  - { driver: virtio-balloon-pci, id: balloon0, free-page-reporting: ${reporting} }
guest: { kernel: "6.12" }
steps:
  - guest: { write-file: 256M }
  - guest: { remove-file: {} }
  - guest: { write-file: 256M }
  - guest: { write-file: 0 }
`;

describe('frontends/yaml/run: guest file steps', () => {
  // Without reporting, boot left pages written and free that the allocator hands out first.
  const CASES = [
    {
      reporting: 'on',
      results: [
        'guest wrote a 256 MiB file; RSS +256 MiB',
        'guest removed its file; RSS -256 MiB',
        'guest wrote a 256 MiB file; RSS +256 MiB',
        'guest removed its file; RSS -256 MiB',
      ],
    },
    {
      reporting: 'off',
      results: [
        'guest wrote a 256 MiB file; RSS +244 MiB',
        'guest removed its file; RSS +0 B',
        'guest wrote a 256 MiB file; RSS +0 B',
        'guest removed its file; RSS +0 B',
      ],
    },
  ] as const;
  for (const { reporting, results } of CASES)
    it(`free page reporting ${reporting}: ${results.slice(0, 2).join(', then ')}`, () => {
      const report = runDefinition(parseDefinition(fileCycle(reporting), 'vm.yaml'), RUN_ENVIRONMENT);
      assert.deepEqual(
        report.steps.map((s) => s.result),
        results,
      );
      assert.equal(report.steps[0]!.rss - report.steps[1]!.rss, reporting === 'on' ? 256 * MiB : 0, 'the step records carry the figures');
    });

  it('a file the guest cannot hold: out of memory, the old file gone, the host keeps what it paid', () => {
    const text = fileCycle('off').replace(/steps:[^]*/, 'steps:\n  - guest: { write-file: 256M }\n  - guest: { write-file: 2G }\n');
    const report = runDefinition(parseDefinition(text, 'vm.yaml'), RUN_ENVIRONMENT);
    assert.match(report.steps[1]!.result, /^guest out of memory writing a 2 GiB file \(.+ short; the file is gone\); RSS \+/);
  });

  it('says so when the definition has no guest', () => {
    const text = fileCycle('on').replace('guest: { kernel: "6.12" }\n', '');
    const report = runDefinition(parseDefinition(text, 'vm.yaml'), RUN_ENVIRONMENT);
    assert.equal(report.steps[0]!.result, 'error: this definition has no guest');
  });
});

describe('frontends/yaml/run: the guest section', () => {
  /** The guest `hotmem run` attached for a definition. */
  const attached = (text: string): LinuxGuest => {
    let guest: LinuxGuest | undefined;
    runDefinition(parseDefinition(text, 'vm.yaml'), { ...RUN_ENVIRONMENT, attachGuest: (machine, def) => (guest = RUN_ENVIRONMENT.attachGuest(machine, def)) });
    if (!guest) throw new Error('no guest was attached');
    return guest;
  };
  // virtballoon_validate keeps PAGE_POISON only where freed pages are initialised (init_on_free).
  for (const initOnFree of [true, false])
    it(`init-on-free: ${String(initOnFree)} ${initOnFree ? 'keeps' : 'drops'} the balloon's PAGE_POISON`, () => {
      const text = fileCycle('on').replace('guest: { kernel: "6.12" }', `guest: { kernel: "6.12", init-on-free: ${String(initOnFree)} }`);
      const guest = attached(text);
      assert.equal(guest.balloon?.driver.features.has(VIRTIO_BALLOON_F_PAGE_POISON), initOnFree);
    });
});
