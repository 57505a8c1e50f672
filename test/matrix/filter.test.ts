import assert from 'node:assert/strict';
import { FilterMemo, filterMatches, parseFilter, unknownDimensions } from '../../src/matrix/filter.js';
import { inShard, parseShard } from '../../src/matrix/shard.js';

const CELL = { release: '7.2', machine: 'pc-q35-6.2', backend: 'memory-backend-memfd', guest: '5.15', mode: 'postcopy' };

describe('matrix/filter: which cells an expression selects', () => {
  const CASES: ReadonlyArray<readonly [string, boolean]> = [
    ['release=7.2', true],
    ['release=8.0', false],
    ['release=7.2|8.0', true],
    ['machine=pc-q35-*', true],
    ['machine=pc-i440fx-*', false],
    ['backend=*memfd', true],
    ['backend!=*memfd', false],
    ['guest!=5.10|6.1', true],
    ['release>=7.0', true],
    ['release<7.2', false],
    ['release<=7.2', true],
    ['machine<7.0', true],
    ['machine>6.2', false],
    ['mode>1.0', false],
    ['release=7.2, guest=5.15', true],
    ['release=7.2,guest=6.1', false],
    ['nosuch=1', false],
  ];
  for (const [text, selected] of CASES) {
    it(`${text} ${selected ? 'selects' : 'does not select'} ${Object.values(CELL).join(' ')}`, () => {
      const parsed = parseFilter(text);
      assert.ok(parsed.ok);
      assert.equal(filterMatches(parsed.filter, CELL), selected);
    });
  }

  it('says what is wrong with a malformed term', () => {
    const CASES: ReadonlyArray<readonly [string, RegExp]> = [
      ['release', /'release' is not NAME=VALUE/],
      ['release=', /has no value/],
      ['release>=seven', /'seven', which is not a version/],
      ['=7.2', /is not NAME=VALUE/],
    ];
    for (const [text, reason] of CASES) {
      const parsed = parseFilter(text);
      assert.ok(!parsed.ok, text);
      assert.match(parsed.reason, reason);
    }
  });

  it('names the dimensions a filter uses that the matrix does not have', () => {
    const parsed = parseFilter('release=7.2,relase=8.0,guest=6.1');
    assert.ok(parsed.ok);
    assert.deepEqual(unknownDimensions(parsed.filter, ['release', 'guest']), ['relase']);
  });
});

describe('matrix/filter: FilterMemo keeps each answer by term and label', () => {
  const filter = (text: string) => {
    const parsed = parseFilter(text);
    assert.ok(parsed.ok);
    return parsed.filter;
  };

  it('answers as filterMatches does, asked in any order and again', () => {
    const memo = new FilterMemo();
    const filters = ['release>=7.0', 'release<7.0', 'machine<=2.0', 'machine=pc-q35-*', 'guest!=5.10|6.1', 'release>=7.0, guest=5.15', 'nosuch=1'].map(filter);
    const cells = ['5.2', '7.0', '7.2', '10.0'].flatMap((release) =>
      ['pc-1.0', 'pc-i440fx-2.0', 'pc-q35-8.1', 'none'].flatMap((machine) => ['5.10', '5.15', '6.1'].map((guest) => ({ release, machine, guest }))),
    );
    for (let pass = 0; pass < 2; pass++)
      for (const c of [...cells].reverse()) for (const f of filters) assert.equal(memo.matches(f, c), filterMatches(f, c), `${f.text} on ${JSON.stringify(c)}`);
  });

  it('changing the label changes the answer kept, and so does changing the term', () => {
    const memo = new FilterMemo();
    const [atLeast] = filter('release>=7.0').terms;
    const [below] = filter('release<7.0').terms;
    assert.ok(atLeast && below);
    assert.equal(memo.holds(atLeast, '7.2'), true);
    assert.equal(memo.holds(atLeast, '6.2'), false);
    assert.equal(memo.holds(atLeast, undefined), false);
    assert.equal(memo.holds(below, '7.2'), false);
    assert.equal(memo.holds(below, '6.2'), true);
    assert.equal(memo.holds(atLeast, '7.2'), true);
  });
});

describe('matrix/shard', () => {
  it('splits cell indexes round robin: every cell in exactly one shard', () => {
    const shards = [1, 2, 3].map((index) => ({ index, count: 3 }));
    for (let cell = 0; cell < 30; cell++) assert.equal(shards.filter((s) => inShard(s, cell)).length, 1);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].filter((c) => inShard({ index: 2, count: 3 }, c)),
      [1, 4],
    );
  });

  it('parses I/N and refuses what is not a shard', () => {
    assert.deepEqual(parseShard('2/4'), { ok: true, shard: { index: 2, count: 4 } });
    for (const text of ['0/4', '5/4', '1/0', '1-4', 'two/four']) assert.equal(parseShard(text).ok, false, text);
  });
});
