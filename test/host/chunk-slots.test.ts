import assert from 'node:assert/strict';
import { ChunkSlots, grown } from '../../src/host/chunk-slots.js';

describe('host/chunk-slots', () => {
  it('hands out slots densely, reuses released ones and doubles capacity only when full', () => {
    const slots = new ChunkSlots(1000);
    const steps: Array<[string, number]> = [];
    for (const c of [500, 3, 999, 0, 7, 8, 9, 10]) steps.push([`acquire ${c}`, slots.acquire(c)]);
    assert.deepEqual(
      steps.map(([, s]) => s),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(slots.capacity, 8);
    slots.release(999);
    assert.equal(slots.of(999), -1);
    assert.equal(slots.acquire(42), 2, 'the released slot is reused');
    assert.equal(slots.capacity, 8);
    assert.equal(slots.acquire(43), 8);
    assert.equal(slots.capacity, 16);
    assert.equal(slots.size, 9);
    assert.equal(slots.of(500), 0);
  });

  it('grows an array keeping its contents, and leaves one that is long enough alone', () => {
    const a = Uint32Array.of(1, 2, 3);
    const b = grown(a, 6, (n) => new Uint32Array(n));
    assert.deepEqual([...b], [1, 2, 3, 0, 0, 0]);
    assert.equal(
      grown(b, 4, (n) => new Uint32Array(n)),
      b,
    );
  });
});
