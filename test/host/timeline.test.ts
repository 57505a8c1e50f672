import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/core/clock.js';
import { Host, Timeline } from '../../src/host/index.js';
import { MiB } from './fixtures.js';

describe('host/timeline', () => {
  it('records every operation with its cost at simulated time, and is deterministic', () => {
    const run = () => {
      const clock = new SimulatedClock();
      const timeline = new Timeline();
      const host = new Host({ kernel: 'linux-6.1', clock, timeline });
      const proc = host.spawn({ name: 'dst', kvm: true });
      const out = proc.map({ kind: 'memfd', name: 'ram0', size: 8 * MiB });
      assert.equal(out.kind, 'done');
      const ram = (out as { mapping: import('../../src/host/index.js').Mapping }).mapping;
      clock.advance(1_000_000);
      ram.read(0, 8 * MiB);
      clock.advance(1_000_000);
      ram.punchHole(0, 4 * MiB);
      return timeline;
    };
    const t = run();
    assert.deepEqual(
      t.entries.map((e) => [e.at, e.op, e.mapping, e.delta.rssShmem]),
      [
        [0, 'mmap', 'ram0', 0],
        [1_000_000, 'read', 'ram0', 8 * MiB],
        [2_000_000, 'punch-hole', 'ram0', -4 * MiB],
      ],
    );
    const tables = 4 * 4096 + 4096 + 4096; // four PTE tables, a PMD and a PUD table
    assert.deepEqual(
      t.hostSeries().map((p) => p.bytes),
      [0, 8 * MiB + tables, 4 * MiB + tables],
    );
    assert.equal(JSON.stringify(run().entries), JSON.stringify(t.entries));
  });

  it('keeps at most `limit` entries', () => {
    const timeline = new Timeline({ limit: 2 });
    const host = new Host({ timeline });
    const ram = (host.spawn().map({ kind: 'anon', size: 4 * MiB }) as { mapping: import('../../src/host/index.js').Mapping }).mapping;
    for (let i = 0; i < 5; i++) ram.read(0, 4096);
    assert.equal(timeline.entries.length, 2);
    assert.equal(timeline.dropped, 4);
  });
});
