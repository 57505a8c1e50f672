/**
 * A virtio-mem memdev's RAMBlock is named after the device's PCI address, so source and
 * destination must put the device in the same slot. Real QEMU 7.2 refuses a migration into a
 * destination whose virtio-mem-pci sits elsewhere with `Unknown ramblock "<dev path>/mem0",
 * cannot accept migration` (what it prints for pc-q35-7.2 -nodefaults with the device at 01.0
 * on the source and nowhere else on the destination: "0000:00:01.0/mem0").
 */
import assert from 'node:assert/strict';
import { checkMigration, migrate } from '../../src/migration/index.js';
import { allContent, blockOf, failed, mappingOf, MiB, plugVirtioMem, startSeedMachine, virtioMemState, x86Spec, type X86Options } from './fixtures.js';

const VM = (addr?: string): X86Options['virtioMem'] => ({
  backend: 'memory-backend-ram',
  size: '1G',
  ...(addr === undefined ? {} : { device: [{ name: 'addr', value: addr }] }),
});

interface Case {
  readonly what: string;
  readonly source: X86Options;
  readonly destination: X86Options;
  /** The refusal, or undefined when the migration completes. */
  readonly message?: string;
  /** What the destination printed, where checked against real QEMU 7.2. */
  readonly log?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    what: 'q35: addr=2 on the source, the first free slot (01) on the destination',
    source: { virtioMem: VM('2') },
    destination: { virtioMem: VM() },
    message: 'Unknown ramblock "0000:00:02.0/mem0", cannot accept migration',
    // Real 7.2, the same two command lines (-nodefaults, requested-size=0), over a unix socket.
    log: [
      'Unknown ramblock "0000:00:02.0/mem0", cannot accept migration',
      "error while loading state for instance 0x0 of device 'ram'",
      'load of migration failed: Invalid argument',
    ],
  },
  {
    what: 'i440fx: the first free slot (02) on the source, addr=3 on the destination',
    source: { machine: 'pc-i440fx-7.2', virtioMem: VM() },
    destination: { machine: 'pc-i440fx-7.2', virtioMem: VM('3') },
    message: 'Unknown ramblock "0000:00:02.0/mem0", cannot accept migration',
  },
  {
    what: 'q35: the first free slot on the source, addr=1 (the same slot, spelled out) on the destination',
    source: { virtioMem: VM() },
    destination: { virtioMem: VM('1.0') },
  },
  {
    what: 'i440fx: addr=2 on both',
    source: { machine: 'pc-i440fx-7.2', virtioMem: VM('0x2') },
    destination: { machine: 'pc-i440fx-7.2', virtioMem: VM('02') },
  },
];

describe('migration: the virtio-mem memdev RAMBlock carries the device’s PCI address', () => {
  for (const c of CASES) {
    it(c.what, () => {
      const source = startSeedMachine(x86Spec(c.source));
      const destination = startSeedMachine(x86Spec(c.destination));
      plugVirtioMem(source, 'vm0', 64 * MiB);
      mappingOf(source, 'pc.ram').write(0, 32 * MiB, 0xab);
      mappingOf(source, blockOf(source, 'mem0')).write(0, 64 * MiB, 0xcd);
      const contentBefore = allContent(source);
      const predicted = checkMigration(source, destination);
      const out = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
      if (c.message === undefined) {
        assert.equal(out.kind, 'completed');
        assert.deepEqual(predicted, { kind: 'compatible', risks: [] });
        assert.deepEqual(allContent(destination), contentBefore);
        assert.deepEqual(virtioMemState(destination), virtioMemState(source));
        return;
      }
      const refusal = failed(out);
      assert.equal(refusal.side, 'destination');
      assert.equal(refusal.reason, 'ram-block-list');
      assert.equal(refusal.message, c.message);
      if (c.log) assert.deepEqual(refusal.log, c.log);
      assert.equal(refusal.stats.normalPages + refusal.stats.zeroPages, 0, 'refused before any page was sent');
      assert.equal(predicted.kind, 'incompatible');
      assert.equal(predicted.message, c.message);
      assert.deepEqual(allContent(source), contentBefore, 'the source keeps its memory');
    });
  }
});
