import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageStore } from '../../src/host/index.js';
import { fillWith, transition } from '../../src/host/chunk.js';

const STATES = 4;
const OWNERS = [2, 3];

/** The obvious model: one state and one tag per page. */
class NaiveStore {
  readonly states: Uint8Array;
  readonly tags: Uint32Array;
  constructor(pages: number) {
    this.states = new Uint8Array(pages);
    this.tags = new Uint32Array(pages);
  }
  apply(s: number, e: number, table: Uint8Array, tag?: number): void {
    for (let i = s; i < e; i++) {
      const to = table[this.states[i]!]!;
      this.states[i] = to;
      if (!OWNERS.includes(to)) this.tags[i] = 0;
      else if (tag !== undefined) this.tags[i] = tag;
    }
  }
}

const tables = [
  transition(STATES, [[0, 1]]),
  transition(STATES, [
    [0, 2],
    [1, 2],
  ]),
  fillWith(0),
  fillWith(3),
  transition(STATES, [[2, 0]]),
  transition(STATES, []),
];

describe('host/chunk PageStore', () => {
  it('keeps uniform chunks allocation-free and counts pages per state', () => {
    const s = new PageStore(1000, 256, STATES, OWNERS);
    assert.equal(s.chunkCount, 4);
    assert.equal(s.pagesIn(3), 1000 - 768);
    s.applyRange(0, 1000, fillWith(1));
    assert.equal(s.mixedChunks, 0);
    assert.deepEqual([...s.counts], [0, 1000, 0, 0]);
    s.applyRange(10, 20, fillWith(2), 7);
    assert.equal(s.mixedChunks, 1);
    assert.equal(s.tagAt(15), 7);
    assert.equal(s.tagAt(9), 0);
    s.applyRange(0, 256, fillWith(2), 7);
    assert.equal(s.mixedChunks, 0, 'a chunk made uniform again drops its page array');
    assert.equal(s.uniformState(0), 2);
    assert.deepEqual(s.contentRuns(0, 300), [
      { page: 0, pages: 256, tag: 7 },
      { page: 256, pages: 44, tag: 0 },
    ]);
  });

  it('drops content when pages leave a content-owning state', () => {
    const s = new PageStore(512, 512, STATES, OWNERS);
    s.applyRange(0, 512, fillWith(2), 5);
    s.applyRange(100, 200, transition(STATES, [[2, 0]]));
    assert.equal(s.tagAt(150), 0);
    assert.equal(s.tagAt(99), 5);
    s.applyRange(100, 200, transition(STATES, [[0, 2]]));
    assert.equal(s.tagAt(150), 0, 'a fresh page is zero-filled');
  });

  it('finds runs, firsts and counts inside a chunk', () => {
    const s = new PageStore(512, 512, STATES, OWNERS);
    s.applyRange(10, 20, fillWith(1));
    s.applyRange(30, 40, fillWith(1));
    assert.deepEqual(
      s.runsIn(
        0,
        0,
        512,
        Uint8Array.from({ length: 256 }, (_, i) => (i === 1 ? 1 : 0)),
      ),
      [
        [10, 20],
        [30, 40],
      ],
    );
    assert.equal(s.firstIn(0, 0, 512, 1), 10);
    assert.equal(s.firstNotIn(0, 10, 512, 1), 20);
    assert.equal(s.countIn(0, 0, 35, 1), 15);
    assert.deepEqual(s.chunksWith(1), [0]);
  });

  it('matches a page-by-page model under any sequence of range operations', () => {
    const op = fc.record({
      start: fc.nat({ max: 999 }),
      len: fc.nat({ max: 700 }),
      table: fc.nat({ max: tables.length - 1 }),
      tag: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.constantFrom(1, 7, 64, 256), (ops, ppc) => {
        const pages = 1000;
        const store = new PageStore(pages, ppc, STATES, OWNERS);
        const naive = new NaiveStore(pages);
        for (const o of ops) {
          const s = o.start;
          const e = Math.min(pages, o.start + o.len);
          store.applyRange(s, e, tables[o.table]!, o.tag);
          naive.apply(s, e, tables[o.table]!, o.tag);
        }
        const counts = new Float64Array(STATES);
        for (let i = 0; i < pages; i++) {
          assert.equal(store.stateAt(i), naive.states[i], `state of page ${i}`);
          assert.equal(store.tagAt(i), naive.tags[i], `tag of page ${i}`);
          counts[naive.states[i]!]!++;
        }
        assert.deepEqual([...store.counts], [...counts]);
        const runs = store.contentRuns(0, pages);
        let at = 0;
        for (const r of runs) {
          assert.equal(r.page, at);
          for (let i = r.page; i < r.page + r.pages; i++) assert.equal(naive.tags[i], r.tag);
          at += r.pages;
        }
        assert.equal(at, pages);
      }),
      { numRuns: 300 },
    );
  });
});
