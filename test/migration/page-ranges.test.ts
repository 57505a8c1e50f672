import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageRanges } from '../../src/migration/page-ranges.js';

describe('migration/page ranges (dirty bitmap as runs)', () => {
  it('merges touching and overlapping runs and splits on removal', () => {
    const r = new PageRanges();
    r.add(10, 20);
    r.add(20, 30);
    r.add(5, 12);
    assert.deepEqual(r.runs(), [[5, 30]]);
    r.remove(12, 14);
    assert.deepEqual(r.runs(), [
      [5, 12],
      [14, 30],
    ]);
    assert.equal(r.pages, 23);
    assert.equal(r.has(13), false);
    assert.equal(r.has(14), true);
  });

  it('agrees with a set of pages under any sequence of adds and removes', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const r = new PageRanges();
        const model = new Set<number>();
        for (const [add, start, len] of ops) {
          if (add) r.add(start, start + len);
          else r.remove(start, start + len);
          for (let p = start; p < start + len; p++) {
            if (add) model.add(p);
            else model.delete(p);
          }
        }
        assert.equal(r.pages, model.size);
        for (let p = 0; p < 240; p++) assert.equal(r.has(p), model.has(p), `page ${p}`);
        const runs = r.runs();
        for (let i = 1; i < runs.length; i++) assert.ok(runs[i]![0] > runs[i - 1]![1], 'runs are disjoint and not adjacent');
      }),
      { numRuns: 200 },
    );
  });
});
