/**
 * Migrations between machines of two releases, as the real binaries give them (Debian bullseye
 * 5.2, bookworm 7.2, trixie 10.0.13, sid 11.1.3; test/conformance/cross-release-migration.test.ts
 * runs the same pairs for real): 10.0 sends 1024-entry rings that 11.1 refuses, at completion.
 */
import { strict as assert } from 'node:assert';
import { checkMigration, migrate } from '../../src/migration/index.js';
import { failed, MiB, startSeedMachine, x86Spec } from './fixtures.js';

const VM = { backend: 'memory-backend-ram', size: '1G' } as const;

/** What the real 11.1.3 destination prints; the device sits in the first free slot (i440fx's 01.0 is the PIIX). */
const refused = (machine: string): readonly string[] => [
  'VQ 0 vring.num 1024 exceeds allocated max 128',
  `load of migration failed: Invalid argument: error while loading state for instance 0x0 of device '0000:00:0${machine.startsWith('pc-i440fx') ? 2 : 1}.0/virtio-mem': Failed to load element of type virtio for virtio`,
];

const CASES: readonly (readonly [string, string, string, 'completed' | 'refused'])[] = [
  ['10.0', '11.1', 'pc-q35-10.0', 'refused'],
  ['10.0', '11.1', 'pc-q35-7.2', 'refused'],
  ['10.0', '11.1', 'pc-i440fx-9.2', 'refused'],
  ['11.1', '10.0', 'pc-q35-10.0', 'completed'],
  ['7.2', '11.1', 'pc-q35-7.2', 'completed'],
  ['5.2', '11.1', 'pc-q35-5.2', 'completed'],
  ['5.2', '10.0', 'pc-q35-5.2', 'completed'],
  ['7.2', '10.0', 'pc-q35-7.2', 'completed'],
  ['11.1', '7.2', 'pc-q35-7.2', 'completed'],
  ['10.0', '7.2', 'pc-q35-7.2', 'completed'],
];

describe('migration/cross-release: virtio-mem between two releases', () => {
  for (const [from, to, machine, expected] of CASES) {
    it(`${from} -> ${to} on ${machine}: ${expected}`, () => {
      const source = startSeedMachine(x86Spec({ release: from, machine, virtioMem: VM }));
      const destination = startSeedMachine(x86Spec({ release: to, machine, virtioMem: VM }));
      const predicted = checkMigration(source, destination, {});
      const out = migrate(source, destination, { bandwidth: 1024 * MiB });
      if (expected === 'completed') {
        assert.equal(predicted.kind, 'compatible');
        assert.equal(out.kind, 'completed');
        return;
      }
      const f = failed(out);
      assert.deepEqual([f.side, f.log], ['destination', refused(machine)]);
      assert.ok(predicted.kind === 'incompatible');
      assert.deepEqual([predicted.phase, predicted.message], ['completion', refused(machine)[0]]);
      // No return path: the source sent everything and says completed, as the real one does
      // (through `device` from 10.0).
      assert.deepEqual(out.source.statuses, ['setup', 'active', 'device', 'completed']);
    });
  }
});
