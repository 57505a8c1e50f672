import assert from 'node:assert/strict';
import { checkMigration, migrate } from '../../src/migration/index.js';
import type { MigrateOptions } from '../../src/migration/options.js';
import { allContent, failed, mappingOf, MiB, plugVirtioMem, s390Spec, startSeedMachine, virtioMemState, x86Spec, type X86Options } from './fixtures.js';

const VM = (extra: Partial<NonNullable<X86Options['virtioMem']>> = {}): X86Options['virtioMem'] => ({ backend: 'memory-backend-ram', size: '1G', ...extra });

interface Case {
  readonly what: string;
  readonly source: X86Options;
  readonly destination: X86Options;
  readonly options?: Partial<MigrateOptions>;
  readonly message: string | RegExp;
  readonly reason: string;
  /** When the destination refuses: before any page, at the postcopy switchover, or at completion. */
  readonly phase: 'setup' | 'switchover' | 'completion';
  readonly log?: readonly string[];
  /** MIGRATION statuses of the source where its release differs from 7.2's (10.0's device, 11.1's failing). */
  readonly sourceStatuses?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    what: 'block-size differs (7.2: the sanity checks travel with the device state, after all RAM)',
    source: { virtioMem: VM() },
    destination: { virtioMem: VM({ device: [{ name: 'block-size', value: '4M' }] }) },
    message: "Property 'block-size' changed from 0x200000 to 0x400000",
    reason: 'device-state',
    phase: 'completion',
    // Up to 10.1 each vmstate level the failure leaves prints itself (real 5.2, 7.2 and 10.0.13).
    log: [
      "Property 'block-size' changed from 0x200000 to 0x400000",
      'Failed to load virtio-mem-device:tmp',
      'Failed to load virtio-mem:virtio',
      "error while loading state for instance 0x0 of device '0000:00:01.0/virtio-mem'",
      'load of migration failed: Invalid argument',
    ],
  },
  {
    what: 'block-size differs (8.0 pc-q35-8.0: early migration refuses it before any RAM)',
    source: { release: '8.0', machine: 'pc-q35-8.0', virtioMem: VM() },
    destination: { release: '8.0', machine: 'pc-q35-8.0', virtioMem: VM({ device: [{ name: 'block-size', value: '4M' }] }) },
    message: "Property 'block-size' changed from 0x200000 to 0x400000",
    reason: 'device-state',
    phase: 'setup',
    log: [
      "Property 'block-size' changed from 0x200000 to 0x400000",
      'Failed to load virtio-mem-device-early:tmp',
      "error while loading state for instance 0x0 of device '0000:00:01.0/virtio-mem-device-early'",
      'load of migration failed: Invalid argument',
    ],
  },
  {
    what: 'block-size differs (11.1 pc-q35-10.0: the early section hands its post_load Error up to the final line)',
    source: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM() },
    destination: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM({ device: [{ name: 'block-size', value: '4M' }] }) },
    message: "Property 'block-size' changed from 0x200000 to 0x400000",
    reason: 'device-state',
    phase: 'setup',
    sourceStatuses: ['setup', 'active', 'failing', 'failed'],
    log: [
      "Property 'block-size' changed from 0x200000 to 0x400000",
      "load of migration failed: Invalid argument: error while loading state for instance 0x0 of device '0000:00:01.0/virtio-mem-device-early': post load hook failed for: virtio-mem-device/sanity-checks, version_id: 0, minimum_version: 0, ret: -22",
    ],
  },
  {
    what: 'block-size differs (11.1 pc-q35-7.2: virtio_load takes no Error, so the post_load one is printed on its own)',
    source: { release: '11.1', machine: 'pc-q35-7.2', virtioMem: VM() },
    destination: { release: '11.1', machine: 'pc-q35-7.2', virtioMem: VM({ device: [{ name: 'block-size', value: '4M' }] }) },
    message: "Property 'block-size' changed from 0x200000 to 0x400000",
    reason: 'device-state',
    phase: 'completion',
    sourceStatuses: ['setup', 'active', 'device', 'completed'],
    log: [
      "Property 'block-size' changed from 0x200000 to 0x400000",
      'post load hook failed for: virtio-mem-device/sanity-checks, version_id: 0, minimum_version: 0, ret: -22',
      "load of migration failed: Invalid argument: error while loading state for instance 0x0 of device '0000:00:01.0/virtio-mem': Failed to load element of type virtio for virtio",
    ],
  },
  {
    // Real 11.1.3: its source sends the early section before the RAM block list, so the device's
    // sanity check refuses the size first.
    what: 'the memdev size differs on 11.1: the early section refuses it before the RAM block list',
    source: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM() },
    destination: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM({ size: '2G' }) },
    message: "Property 'memdev' size changed from 0x40000000 to 0x80000000",
    reason: 'device-state',
    phase: 'setup',
    sourceStatuses: ['setup', 'active', 'failing', 'failed'],
    log: [
      "Property 'memdev' size changed from 0x40000000 to 0x80000000",
      "load of migration failed: Invalid argument: error while loading state for instance 0x0 of device '0000:00:01.0/virtio-mem-device-early': post load hook failed for: virtio-mem-device/sanity-checks, version_id: 0, minimum_version: 0, ret: -22",
    ],
  },
  {
    what: 'the memdev size differs: the RAM block list refuses first',
    source: { virtioMem: VM() },
    destination: { virtioMem: VM({ size: '2G' }) },
    message: 'Size mismatch: 0000:00:01.0/mem0: 0x40000000 != 0x80000000: Invalid argument',
    reason: 'ram-block-list',
    phase: 'setup',
    log: [
      'Size mismatch: 0000:00:01.0/mem0: 0x40000000 != 0x80000000: Invalid argument',
      "error while loading state for instance 0x0 of device 'ram'",
      'load of migration failed: Invalid argument',
    ],
  },
  {
    what: 'the destination has no such RAM block',
    source: { virtioMem: VM() },
    destination: {},
    // The device's RAMBlock is named after its PCI address, as vmstate_register_ram does.
    message: 'Unknown ramblock "0000:00:01.0/mem0", cannot accept migration',
    reason: 'ram-block-list',
    phase: 'setup',
  },
  {
    what: 'the destination has no such device (11.1 source: the early section comes before the RAM block list; 10.0 destination)',
    source: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM() },
    destination: { release: '10.0', machine: 'pc-q35-10.0' },
    message:
      "Unknown savevm section or instance '0000:00:01.0/virtio-mem-device-early' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    reason: 'device-state',
    phase: 'setup',
    log: [
      "Unknown savevm section or instance '0000:00:01.0/virtio-mem-device-early' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
      'load of migration failed: Invalid argument',
    ],
    sourceStatuses: ['setup', 'active', 'failing', 'failed'],
  },
  {
    what: 'the destination has no such device (11.1 to 11.1: the Error reaches the final line)',
    source: { release: '11.1', machine: 'pc-q35-10.0', virtioMem: VM() },
    destination: { release: '11.1', machine: 'pc-q35-10.0' },
    message:
      "Unknown section or instance '0000:00:01.0/virtio-mem-device-early' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    reason: 'device-state',
    phase: 'setup',
    log: [
      "load of migration failed: Invalid argument: Unknown section or instance '0000:00:01.0/virtio-mem-device-early' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    ],
    sourceStatuses: ['setup', 'active', 'failing', 'failed'],
  },
  {
    what: "unplugged-inaccessible 'auto' resolves on on the source (memfd) and off on the destination (ram)",
    source: { virtioMem: VM({ backend: 'memory-backend-memfd' }) },
    destination: { virtioMem: VM() },
    message: /^Features 0x[0-9a-f]+ unsupported\. Allowed features: 0x[0-9a-f]+$/,
    reason: 'device-state',
    phase: 'completion',
  },
  {
    what: 'postcopy to a kernel without userfaultfd (4.2)',
    source: {},
    destination: { kernel: 'linux-4.2' },
    options: { postcopy: { startAfter: 0 } },
    message: 'postcopy_ram_supported_by_host: userfaultfd not available: Function not implemented',
    reason: 'postcopy-unsupported',
    phase: 'setup',
  },
  {
    what: 'postcopy of memfd RAM to 4.9 (no MISSING_SHMEM before 4.11)',
    source: { mainBackend: 'memory-backend-memfd' },
    destination: { mainBackend: 'memory-backend-memfd', kernel: 'linux-4.9' },
    options: { postcopy: { startAfter: 0 } },
    message: 'ram_block_enable_notify userfault register: Invalid argument',
    reason: 'postcopy-unsupported',
    phase: 'switchover',
    log: [
      'ram_block_enable_notify userfault register: Invalid argument',
      'ram_block_enable_notify failed',
      'load of migration failed: Operation not permitted',
    ],
  },
];

function start(c: Case) {
  const source = startSeedMachine(x86Spec(c.source));
  const destination = startSeedMachine(x86Spec(c.destination));
  if (c.source.virtioMem) plugVirtioMem(source, 'vm0', 64 * MiB);
  mappingOf(source, c.source.mainBackend ? 'ram0' : 'pc.ram').write(0, 32 * MiB, 0xab);
  return { source, destination };
}

describe('migration/compatibility: refusals, where they happen, and what they leave behind', () => {
  for (const c of CASES) {
    it(`${c.what}: ${c.phase}`, () => {
      const { source, destination } = start(c);
      const predicted = checkMigration(source, destination, { postcopy: c.options?.postcopy !== undefined });
      const contentBefore = allContent(source);
      const stateBefore = c.source.virtioMem ? virtioMemState(source) : [];
      const out = failed(migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9, ...c.options }));

      assert.equal(out.side, 'destination');
      assert.equal(out.reason, c.reason);
      if (typeof c.message === 'string') assert.equal(out.message, c.message);
      else assert.match(out.message, c.message);
      if (c.log) assert.deepEqual(out.log, c.log);
      assert.equal(predicted.kind, 'incompatible');
      assert.deepEqual([predicted.phase, predicted.reason, predicted.message], [c.phase, c.reason, out.message]);

      // Nothing is lost: the source's memory and device state are as they were.
      assert.deepEqual(allContent(source), contentBefore);
      if (c.source.virtioMem) assert.deepEqual(virtioMemState(source), stateBefore);
      assert.equal(destination.process.exited, true, 'the destination QEMU exits');
      if (c.phase === 'setup') {
        assert.equal(out.stats.normalPages + out.stats.zeroPages, 0, 'refused before any page was sent');
        // As QEMU 7.2 reports it: the source goes active before the refusal reaches it.
        assert.deepEqual(out.source.statuses, c.sourceStatuses ?? ['setup', 'active', 'failed']);
        assert.equal(out.source.running, true);
      }
      if (c.phase === 'switchover') {
        assert.deepEqual(out.source.statuses, ['setup', 'active', 'postcopy-active', 'postcopy-paused']);
        assert.equal(out.source.running, false, 'paused, with all its memory');
      }
      if (c.phase === 'completion') {
        assert.ok(out.stats.normalPages > 0, 'all of RAM went first');
        assert.deepEqual(out.source.statuses, c.sourceStatuses ?? ['setup', 'active', 'completed'], 'without a return path the source never hears');
        assert.equal(out.source.running, false, 'postmigrate: paused until the management continues it');
      }
    });
  }

  it('with a return path, a refusal at completion fails the source, which runs on', () => {
    const c = CASES[0]!;
    const { source, destination } = start(c);
    const out = failed(migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9, returnPath: true }));
    assert.deepEqual(out.source.statuses, ['setup', 'active', 'failed']);
    assert.equal(out.source.running, true);
  });

  it('across releases: QEMU 7.2 to QEMU 8.0 on the same machine type (hw_compat_7_2 keeps early migration off)', () => {
    const source = startSeedMachine(x86Spec({ virtioMem: VM() }));
    const destination = startSeedMachine(x86Spec({ release: '8.0', machine: 'pc-q35-7.2', virtioMem: VM() }));
    plugVirtioMem(source, 'vm0', 64 * MiB);
    assert.deepEqual(checkMigration(source, destination), { kind: 'compatible', risks: [] });
    const out = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    assert.equal(out.kind, 'completed');
    assert.deepEqual(virtioMemState(destination), virtioMemState(source));
  });

  it('the auto mismatch says why', () => {
    const c = CASES.find((x) => x.what.startsWith('unplugged-inaccessible'))!;
    const { source, destination } = start(c);
    const out = failed(migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 }));
    assert.match(out.explanation ?? '', /VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE/);
    assert.match(out.explanation ?? '', /memdev RAMBlock 'mem0' here is private, without an fd, with 4096-byte pages \(it has the shared zeropage\)/);
  });

  it('compatible machines are predicted compatible; a postcopy to 4.9 s390x names its hang risks', () => {
    const source = startSeedMachine(x86Spec({ virtioMem: VM() }));
    const destination = startSeedMachine(x86Spec({ virtioMem: VM() }));
    assert.deepEqual(checkMigration(source, destination), { kind: 'compatible', risks: [] });
    const prediction = checkMigration(startSeedMachine(s390Spec('linux-4.9')), startSeedMachine(s390Spec('linux-4.9')), { postcopy: true });
    assert.equal(prediction.kind, 'compatible');
    assert.equal(prediction.risks.length, 2);
    assert.match(prediction.risks[0]!, /fa41ba0d/);
    assert.match(prediction.risks[1]!, /bce73e48/);
  });
});
