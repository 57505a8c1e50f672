import assert from 'node:assert/strict';
import { diffResults } from '../../src/matrix/diff.js';
import { diffMarkdownReport } from '../../src/matrix/reports/diff-markdown.js';
import { diffTerminalReport } from '../../src/matrix/reports/diff-terminal.js';
import { results } from './fixtures.js';

const GiB = 1024 ** 3;
const OLD = results(
  [
    ['release', ['7.2']],
    ['guest', ['5.15', '6.1', '5.10']],
  ],
  [
    { status: 'pass', observations: { start: 'ok', 'vm0.plugged': '0' }, memory: { end: { rss: 0 } } },
    { status: 'pass', observations: { start: 'ok', 'vm0.plugged': String(GiB) }, memory: { end: { rss: GiB } } },
    { status: 'pass', observations: { start: 'ok', 'vm0.plugged': '0' } },
  ],
  'old.yaml',
);
const NEW = results(
  [
    ['release', ['8.0']],
    ['guest', ['5.15', '6.1', '6.6']],
  ],
  [
    { status: 'fail', failures: ['rule: vm0.plugged is 0'], observations: { start: 'ok', 'vm0.plugged': String(GiB) }, memory: { end: { rss: 2 * GiB } } },
    { status: 'pass', observations: { start: 'ok', 'vm0.plugged': String(GiB) }, memory: { end: { rss: GiB } } },
    { status: 'pass', observations: { start: 'ok', 'vm0.plugged': '0' } },
  ],
  'new.yaml',
);

describe('matrix/diff: what changed between two runs', () => {
  const d = diffResults({ file: 'old.json', results: OLD }, { file: 'new.json', results: NEW });

  it('compares the dimension each run fixes to a different value, and matches cells on the others', () => {
    assert.deepEqual(d.compared, [{ dimension: 'release', old: '7.2', new: '8.0' }]);
    assert.deepEqual(d.matchedOn, ['guest']);
    assert.equal(d.unchanged, 1);
    assert.deepEqual(d.onlyOld, [{ guest: '5.10' }]);
    assert.deepEqual(d.onlyNew, [{ guest: '6.6' }]);
  });

  it('names each change: status, observations, memory figures, failures', () => {
    assert.deepEqual(d.changed, [
      {
        coordinates: { guest: '5.15' },
        oldIndex: 0,
        newIndex: 0,
        status: { old: 'pass', new: 'fail' },
        observations: [{ name: 'vm0.plugged', old: '0', new: String(GiB) }],
        memory: [{ figure: 'end.rss', old: 0, new: 2 * GiB }],
        problems: { old: [], new: ['rule: vm0.plugged is 0'] },
      },
    ]);
  });

  it('writes the changes as text and as Markdown', () => {
    assert.equal(
      diffTerminalReport(d, false),
      `old.json (3 cells) → new.json (3 cells)
  comparing release: 7.2 → 8.0
  cells matched on guest: 1 changed, 1 unchanged, 1 only in old, 1 only in new

guest=5.15
  status: pass → fail
  vm0.plugged: 0 B → 1 GiB
  end.rss: 0 B → 2 GiB
  problems: none → rule: vm0.plugged is 0

Only in old:
  guest=5.10

Only in new:
  guest=6.6
`,
    );
    assert.equal(
      diffMarkdownReport(d),
      `# old.json → new.json

- comparing **release**: 7.2 → 8.0
- cells matched on guest: **1 changed**, 1 unchanged, 1 only in old, 1 only in new

| cell | what changed |
|---|---|
| guest=5.15 | status: pass → fail<br>vm0.plugged: 0 B → 1 GiB<br>end.rss: 0 B → 2 GiB<br>problems: none → rule: vm0.plugged is 0 |
`,
    );
  });

  it('finds nothing changed between a run and itself', () => {
    const same = diffResults({ file: 'a', results: OLD }, { file: 'b', results: OLD });
    assert.deepEqual([same.changed.length, same.unchanged, same.compared.length], [0, 3, 0]);
  });

  it('ignores dimensions on request, and refuses when that leaves cells it cannot tell apart', () => {
    const ignored = diffResults({ file: 'a', results: OLD }, { file: 'b', results: OLD }, ['release']);
    assert.deepEqual(ignored.matchedOn, ['guest']);
    assert.throws(
      () => diffResults({ file: 'a', results: OLD }, { file: 'b', results: OLD }, ['guest']),
      /a: cells are not told apart by release; name fewer dimensions to ignore/,
    );
  });
});
