import assert from 'node:assert/strict';
import { migrate } from '../../src/migration/index.js';
import { blockOf, contentOf, mappingOf, MiB, PAGE, plugVirtioMem, startSeedMachine, virtioMemState, x86Spec } from './fixtures.js';

/** The source's content with the writes the guest made on the destination laid over it. */
function expectedAfter(
  source: ReturnType<typeof startSeedMachine>,
  idstr: string,
  writes: ReadonlyArray<{ side: string; block: string; offset: number; length: number; tag: number }>,
): Uint32Array {
  const out = contentOf(source, idstr);
  for (const w of writes) if (w.side === 'destination' && w.block === idstr) out.fill(w.tag, w.offset / PAGE, (w.offset + w.length) / PAGE);
  return out;
}

describe('migration/postcopy', () => {
  it('pages arrive by request and by background push; zero pages are placed with UFFDIO_ZEROPAGE', () => {
    const source = startSeedMachine(x86Spec());
    const destination = startSeedMachine(x86Spec());
    mappingOf(source, 'pc.ram').write(0, 128 * MiB, 0x42);
    const writes: Array<{ side: string; block: string; offset: number; length: number; tag: number }> = [];
    const out = migrate(source, destination, {
      bandwidth: 128 * MiB,
      postcopy: { startAfter: 0 },
      workload: {
        onWrite: (w) => writes.push(w),
        actions: [
          // Far ahead of the background push: each is a fault the source answers first.
          { at: 50e6, action: { kind: 'read', region: { block: 'pc.ram', offset: 100 * MiB, length: PAGE } } },
          { at: 60e6, action: { kind: 'write', region: { block: 'pc.ram', offset: 400 * MiB, length: 2 * PAGE }, tag: 0x99 } },
        ],
      },
    });
    assert.equal(out.kind, 'completed');
    assert.equal(out.mode, 'postcopy');
    assert.equal(out.stats.postcopyRequests, 3, 'one page read, two pages written');
    assert.deepEqual(out.source.statuses, ['setup', 'active', 'postcopy-active', 'completed']);
    assert.deepEqual(out.destination.statuses, ['active', 'postcopy-active', 'completed']);
    assert.deepEqual(contentOf(destination, 'pc.ram'), expectedAfter(source, 'pc.ram', writes));
    assert.equal(contentOf(destination, 'pc.ram')[(400 * MiB) / PAGE], 0x99);
    const dst = mappingOf(destination, 'pc.ram');
    assert.equal(dst.stateCounts().zeropage, (384 * MiB) / PAGE - 2, 'UFFDIO_ZEROPAGE: the shared zeropage, no RSS');
    assert.equal(destination.process.status().rssAnon, 128 * MiB + 2 * PAGE);
    assert.equal(dst._registrations().length, 0, 'userfaultfd unregistered at the end');
    assert.equal(out.stats.precopyBytes, 0);
    assert.ok(out.stats.downtimeNs < 1e6, 'the switch moves only the device state');
  });

  it('after a precopy phase, pages dirtied since they were sent are discarded on the destination and sent again', () => {
    const source = startSeedMachine(x86Spec());
    const destination = startSeedMachine(x86Spec());
    mappingOf(source, 'pc.ram').write(0, 256 * MiB, 1);
    const out = migrate(source, destination, {
      bandwidth: 128 * MiB,
      postcopy: { startAfter: 1e9 },
      workload: { dirty: { regions: [{ block: 'pc.ram', offset: 0, length: 64 * MiB }], rate: 64 * MiB, writeSize: 64 * 1024, seed: 11 } },
    });
    assert.equal(out.kind, 'completed');
    assert.ok(out.stats.precopyBytes > 100 * MiB && out.stats.postcopyBytes > 100 * MiB);
    // The source stopped at the switch: what it holds is what the guest had then; the guest's
    // later writes landed on the destination through postcopy faults.
    assert.deepEqual(contentOf(destination, 'pc.ram').subarray((64 * MiB) / PAGE), contentOf(source, 'pc.ram').subarray((64 * MiB) / PAGE));
  });

  it('a fault on unplugged virtio-mem memory gets a zero page from the destination itself', () => {
    const spec = x86Spec({ virtioMem: { backend: 'memory-backend-ram', size: '1G' }, machine: 'pc-q35-6.2' });
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    plugVirtioMem(source, 'vm0', 64 * MiB);
    mappingOf(source, 'pc.ram').write(0, 256 * MiB, 3);
    const out = migrate(source, destination, {
      bandwidth: 128 * MiB,
      postcopy: { startAfter: 0 },
      workload: { actions: [{ at: 50e6, action: { kind: 'read', region: { block: blockOf(source, 'mem0'), offset: 512 * MiB, length: PAGE } } }] },
    });
    assert.equal(out.kind, 'completed');
    assert.equal(out.stats.postcopyRequests, 0, 'never asked of the source (postcopy_request_page, 6.2+)');
    assert.equal(mappingOf(destination, '0000:00:01.0/mem0').stateAt(512 * MiB), 'zeropage');
    assert.deepEqual(virtioMemState(destination), virtioMemState(source));
  });
});

describe('migration/pages that cannot be placed', () => {
  /** hugetlb RAM without reservations (reserve=off) on a destination whose pool holds 64 of the 256 huge pages needed. */
  const spec = (pages: number) => ({
    ...x86Spec({ memory: '512M' }),
    memoryBackend: 'ram0',
    items: [
      {
        kind: 'object' as const,
        type: 'memory-backend-memfd',
        id: 'ram0',
        props: [
          { name: 'size', value: '512M' },
          { name: 'hugetlb', value: 'on' },
          { name: 'reserve', value: 'off' },
        ],
      },
    ],
    hugetlbPages: { [2 * MiB]: pages },
  });

  it('precopy: the destination takes SIGBUS when its hugetlb pool runs dry; the source runs on', () => {
    const source = startSeedMachine(spec(256));
    const destination = startSeedMachine(spec(64));
    mappingOf(source, 'ram0').write(0, 512 * MiB, 4);
    const out = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    assert.equal(out.kind, 'failed');
    assert.deepEqual([out.side, out.reason], ['destination', 'destination-place']);
    assert.match(out.message, /^hotmem: placing a page of RAMBlock 'ram0' at 0x8000000 ended in sigbus/);
    assert.deepEqual(out.source.statuses, ['setup', 'active', 'failed']);
    assert.equal(out.source.running, true);
    assert.equal(destination.process.exited, true);
  });

  it('postcopy: UFFDIO_COPY fails with ENOMEM; the source pauses in postcopy-paused', () => {
    const source = startSeedMachine(spec(256));
    const destination = startSeedMachine(spec(64));
    mappingOf(source, 'ram0').write(0, 512 * MiB, 4);
    const out = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9, postcopy: { startAfter: 0 } });
    assert.equal(out.kind, 'failed');
    assert.match(out.message, /^postcopy_place_page: Cannot allocate memory copy host: 0x[0-9a-f]+ from: <page buffer> \(size: 2097152\)$/);
    assert.deepEqual(out.source.statuses, ['setup', 'active', 'postcopy-active', 'postcopy-paused']);
    assert.equal(out.source.running, false);
  });
});
