/**
 * The done-when property: a migration either completes with the guest's memory and device state
 * identical on the destination, or fails with the source's unchanged — whatever the machines,
 * the guest's writes before and during the migration, precopy or postcopy, and whether the
 * destination is compatible.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { migrate, type Side } from '../../src/migration/index.js';
import { allContent, blockOf, mappingOf, MiB, PAGE, plugVirtioMem, startSeedMachine, virtioMemState, x86Spec, type X86Options } from './fixtures.js';

type Destination = 'same' | 'block-size' | 'memdev-size' | 'other-device-id' | 'other-backend';

const scenario = fc.record({
  ramMiB: fc.constantFrom(64, 128),
  virtioMem: fc.option(fc.record({ backend: fc.constantFrom('memory-backend-ram', 'memory-backend-memfd'), pluggedBlocks: fc.integer({ min: 1, max: 64 }) }), {
    nil: undefined,
  }),
  writes: fc.array(fc.record({ toDevice: fc.boolean(), page: fc.nat(), pages: fc.integer({ min: 1, max: 600 }), tag: fc.integer({ min: 0, max: 0xffff }) }), {
    maxLength: 6,
  }),
  dirty: fc.option(fc.record({ rateMiB: fc.integer({ min: 1, max: 160 }), seed: fc.nat() }), { nil: undefined }),
  postcopyAfterMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined, freq: 2 }),
  destination: fc.constantFrom<Destination>('same', 'same', 'block-size', 'memdev-size', 'other-device-id', 'other-backend'),
  bandwidthMiB: fc.constantFrom(64, 128, 1024),
  returnPath: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function specs(s: Scenario): { source: X86Options; destination: X86Options } {
  const memory = `${s.ramMiB}M${s.virtioMem ? ',maxmem=4G' : ''}`;
  const vm = s.virtioMem ? { backend: s.virtioMem.backend, size: '512M' } : undefined;
  const source: X86Options = { memory, ...(vm ? { virtioMem: vm } : {}) };
  if (!vm) return { source, destination: source };
  const other = vm.backend === 'memory-backend-ram' ? 'memory-backend-memfd' : 'memory-backend-ram';
  const dstVm: Record<Destination, X86Options['virtioMem']> = {
    same: vm,
    'block-size': { ...vm, device: [{ name: 'block-size', value: '4M' }] },
    'memdev-size': { ...vm, size: '1G' },
    'other-device-id': vm,
    'other-backend': { ...vm, backend: other },
  };
  return { source, destination: { memory, virtioMem: dstVm[s.destination] } };
}

function run(s: Scenario): void {
  const { source: srcOpts, destination: dstOpts } = specs(s);
  const source = startSeedMachine(x86Spec(srcOpts));
  const dstSpec = x86Spec(dstOpts);
  const destination = startSeedMachine(
    s.virtioMem && s.destination === 'other-device-id'
      ? { ...dstSpec, items: dstSpec.items!.map((i) => (i.kind === 'device' ? { ...i, id: 'vm1' } : i)) }
      : dstSpec,
  );
  const pluggedPages = s.virtioMem ? plugVirtioMem(source, 'vm0', s.virtioMem.pluggedBlocks * 2 * MiB) / PAGE : 0;
  const ramPages = (s.ramMiB * MiB) / PAGE;
  for (const w of s.writes) {
    // The guest writes main RAM, and plugged device memory only.
    const [block, limit] = w.toDevice && pluggedPages > 0 ? [blockOf(source, 'mem0'), pluggedPages] : ['pc.ram', ramPages];
    const page = w.page % limit;
    mappingOf(source, block).write(page * PAGE, Math.min(w.pages, limit - page) * PAGE, w.tag);
  }
  // What the guest wrote, wherever it ran, laid over the memory it started with.
  const expected = allContent(source);
  const stateBefore = s.virtioMem ? virtioMemState(source) : [];
  const writes: Array<{ side: Side; block: string; offset: number; length: number; tag: number }> = [];
  const out = migrate(source, destination, {
    bandwidth: s.bandwidthMiB * MiB,
    maxDirtySyncs: 8,
    returnPath: s.returnPath,
    ...(s.postcopyAfterMs === undefined ? {} : { postcopy: { startAfter: s.postcopyAfterMs * 1e6 } }),
    workload: {
      onWrite: (w) => writes.push(w),
      ...(s.dirty
        ? {
            dirty: { regions: [{ block: 'pc.ram', offset: 0, length: s.ramMiB * MiB }], rate: s.dirty.rateMiB * MiB, writeSize: 16 * PAGE, seed: s.dirty.seed },
          }
        : {}),
    },
  });
  const lay = (sides: readonly Side[]) => {
    const content = new Map([...expected].map(([k, v]) => [k, v.slice()]));
    for (const w of writes) if (sides.includes(w.side)) content.get(w.block)!.fill(w.tag, w.offset / PAGE, (w.offset + w.length) / PAGE);
    return content;
  };
  assert.notEqual(out.kind, 'hung', 'nothing in these scenarios takes a placed page away');
  if (out.kind === 'completed') {
    assert.deepEqual(allContent(destination), lay(['source', 'destination']), 'identical guest memory on the destination');
    // Device ids are not in the stream (idstrs are dev paths), so another id loads as in QEMU.
    const dstId = s.destination === 'other-device-id' ? 'vm1' : 'vm0';
    if (s.virtioMem) assert.deepEqual(virtioMemState(destination, dstId), virtioMemState(source), 'identical device state');
    assert.equal(out.destination.running, true);
  } else if (out.kind === 'failed') {
    assert.ok(!source.process.exited, 'the source QEMU lives');
    assert.deepEqual(allContent(source), lay(['source']), 'the source lost nothing');
    if (s.virtioMem) assert.deepEqual(virtioMemState(source), stateBefore, 'the source device is as it was');
    assert.ok(
      writes.every((w) => w.side === 'source'),
      'the guest never ran on a destination that failed',
    );
  }
}

describe('migration/property: complete with identical state, or fail with the source unchanged', () => {
  it('holds for random machines, guests, modes and destinations', function () {
    this.timeout(120_000);
    fc.assert(
      fc.property(scenario, (s) => run(s)),
      { numRuns: 100, seed: 20240607 },
    );
  });
});
