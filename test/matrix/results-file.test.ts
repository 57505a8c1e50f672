/**
 * Results files written and read a cell at a time: what a streamed run or merge writes is the
 * JSON report byte for byte, a results file reads back cell by cell (or whole, when another tool
 * reformatted it), and a streamed merge of shard files equals the in-memory merge.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter } from '../../src/matrix/filter.js';
import { mergeResultFiles, mergeResults } from '../../src/matrix/merge.js';
import { encodeBatch } from '../../src/matrix/result-batch.js';
import { jsonReport } from '../../src/matrix/reports/json.js';
import { openResultsFile, ResultsFileWriter } from '../../src/matrix/results-file.js';
import type { CellResult, MatrixResults } from '../../src/matrix/results.js';
import { runMatrix, runMatrixToFile } from '../../src/matrix/runner.js';
import { compatData, matrix, results, SMALL } from './fixtures.js';

const HAND = results(
  [
    ['release', ['7.2', '8.0']],
    ['ui', ['on', 'off']],
  ],
  [
    { status: 'pass', observations: { start: 'ok', note: 'a "quoted", comma\nand newline' } },
    { status: 'fail', failures: ['x is 1, expected 2'] },
    { status: 'error', error: 'bad' },
    { status: 'pass', memory: { end: { rss: 4096 } } },
  ],
);

async function readAll(path: string): Promise<MatrixResults> {
  const stream = await openResultsFile(path);
  const cells: CellResult[] = [];
  for await (const c of stream.cells) cells.push(c);
  return { ...stream.header, summary: stream.summary, cells };
}

describe('matrix/results-file: results a cell at a time', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hotmem-results-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, hand] of [
    ['four cells', HAND],
    ['no cells', { ...HAND, summary: { pass: 0, fail: 0, error: 0 }, cells: [] }],
  ] as const) {
    it(`writes the JSON report byte for byte from cells and from encoded lines, leaving no spill file (${name})`, async () => {
      const { cells, summary: _summary, ...header } = hand;
      for (const [kind, batches] of [
        [
          'cells',
          [
            { kind: 'cells' as const, cells: cells.slice(0, 1) },
            { kind: 'cells' as const, cells: cells.slice(1) },
          ],
        ],
        ['lines', [encodeBatch(cells.slice(0, 3)), encodeBatch(cells.slice(3))]],
      ] as const) {
        const out = join(dir, `${kind}.json`);
        const writer = new ResultsFileWriter(out);
        for (const b of batches) writer.accept(b);
        assert.deepEqual(writer.finish(header), hand.summary);
        assert.equal(readFileSync(out, 'utf8'), jsonReport(hand), kind);
        assert.deepEqual(await readAll(out), hand);
      }
      assert.deepEqual(readdirSync(dir).sort(), ['cells.json', 'lines.json']);
    });
  }

  it('reads a results file another tool reformatted whole, and names a file that is not results', async () => {
    const file = join(dir, 'pretty.json');
    writeFileSync(file, JSON.stringify(HAND, null, 4));
    assert.deepEqual(await readAll(file), HAND);
    writeFileSync(file, '{"cells": []}');
    await assert.rejects(openResultsFile(file), /pretty\.json: not hotmem matrix results/);
    await assert.rejects(openResultsFile(join(dir, 'none.json')), /cannot read .*none\.json: no such file/);
  });

  it('names a results file it cannot write before any cell runs', async () => {
    assert.throws(() => new ResultsFileWriter(join(dir, 'none', 'out.json')), /^HotmemError: cannot write .*none\/out\.json: no such directory$/);
    await assert.rejects(runMatrixToFile(matrix(SMALL), join(dir, 'none', 'out.json'), { jobs: 1, data: compatData() }), /cannot write/);
  });

  it('a discarded writer leaves nothing behind', () => {
    const writer = new ResultsFileWriter(join(dir, 'out.json'));
    writer.accept({ kind: 'cells', cells: HAND.cells });
    writer.discard();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a run streamed to a file, on one thread or two, is the in-memory run; streamed shards merge into it', async () => {
    const parsed = parseFilter('release=7.2|8.0');
    assert.ok(parsed.ok);
    const options = { data: compatData(), filter: parsed.filter };
    const whole = jsonReport(await runMatrix(matrix(SMALL), { ...options, jobs: 1 }));
    for (const jobs of [1, 2]) {
      const out = join(dir, `whole-${jobs}.json`);
      await runMatrixToFile(matrix(SMALL), out, { ...options, jobs });
      assert.equal(readFileSync(out, 'utf8'), whole, `${jobs} jobs`);
    }
    const shards = [1, 2, 3].map((index) => join(dir, `shard-${index}.json`));
    for (const [i, file] of shards.entries()) await runMatrixToFile(matrix(SMALL), file, { ...options, jobs: 1, shard: { index: i + 1, count: 3 } });
    const merged = join(dir, 'merged.json');
    assert.deepEqual(await mergeResultFiles([shards[2]!, shards[0]!, shards[1]!], merged), (JSON.parse(whole) as MatrixResults).summary);
    assert.equal(readFileSync(merged, 'utf8'), whole);
    const partial = join(dir, 'partial.json');
    await mergeResultFiles([shards[0]!, shards[2]!], partial);
    const inMemory = mergeResults([shards[0]!, shards[2]!].map((file) => ({ file, results: JSON.parse(readFileSync(file, 'utf8')) as MatrixResults })));
    assert.equal(readFileSync(partial, 'utf8'), jsonReport(inMemory));
    await assert.rejects(mergeResultFiles([shards[0]!, shards[0]!], join(dir, 'twice.json')), /shard 1\/3 is given twice/);
    assert.ok(!existsSync(join(dir, 'twice.json')));
  });
});
