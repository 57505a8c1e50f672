import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { packageRoot } from '../../src/core/package-root.js';
import { CellRunner } from '../../src/matrix/cell.js';
import { cellsOf, type Cell } from '../../src/matrix/expand.js';
import { FilterMemo, parseFilter } from '../../src/matrix/filter.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { CellMemo, memoDimension } from '../../src/matrix/memo.js';
import type { Matrix } from '../../src/matrix/spec.js';
import { compatData, matrix, SMALL } from './fixtures.js';

const example = (name: string): Matrix => loadMatrixFile(join(packageRoot(), 'examples/matrices', name), compatData());

function cells(m: Matrix, filterText: string): Cell[] {
  const parsed = parseFilter(filterText);
  if (!parsed.ok) throw new Error(parsed.reason);
  const memo = new FilterMemo();
  return [...cellsOf(m, compatData(), { keep: (c) => memo.matches(parsed.filter, c) })];
}

/** Every cell memoised and not, compared as the results file writes them; the memo's counts. */
function compare(m: Matrix, selected: readonly Cell[]): { readonly evaluated: number; readonly shared: number } {
  const memo = new CellMemo(new CellRunner(m));
  const plain = new CellRunner(m);
  for (const cell of selected)
    assert.equal(JSON.stringify(memo.run(cell)), JSON.stringify(plain.run(cell)), `cell ${cell.index} ${JSON.stringify(cell.coordinates)}`);
  return { evaluated: memo.evaluated, shared: memo.shared };
}

describe('matrix/memo: results shared across machine types', () => {
  // A slice of each example matrix; bench/matrix compares whole releases of the big ones.
  const slices: ReadonlyArray<readonly [file: string, filter: string, shares: boolean]> = [
    ['unplugged-inaccessible.yaml', 'release=8.1,backend=memory-backend-memfd,unplugged-inaccessible=off,guest=6.1', true],
    ['virtio-mem-sizes.yaml', 'release=8.1,memory=1GiB,backend=memory-backend-memfd,block-size=4MiB,requested-size=3MiB|4MiB', true],
    ['cross-release-migration.yaml', 'source=10.0,destination=11.1', false],
  ];
  for (const [file, filter, shares] of slices) {
    it(`gives ${file} (${filter}) byte for byte the results of evaluating every cell`, function () {
      this.timeout(20_000);
      const m = example(file);
      const { evaluated, shared } = compare(m, cells(m, filter));
      if (shares) assert.ok(shared > evaluated, `${shared} shared, ${evaluated} evaluated`);
    });
  }

  it('evaluates every cell of a matrix without a machine-types dimension (balloon-migration)', () => {
    const m = example('balloon-migration.yaml');
    assert.deepEqual(memoDimension(m), { ok: false, reason: '0 machine-types dimensions' });
  });

  it('shares nothing across a machine type the scenario uses beyond machine.type, or a rule matches in a glob', () => {
    assert.deepEqual(memoDimension(matrix(SMALL)), { ok: true, name: 'machine' });
    const named = SMALL.replace('id: vm0, memdev: mem0,', 'id: vm0, memdev: mem0, x-note: "${machine}",');
    assert.deepEqual(memoDimension(matrix(named)), { ok: false, reason: 'the scenario uses ${machine} other than as its whole machine.type' });
    const globbed = `${SMALL}  - then: { warnings: { matches: "*\${machine}*" } }\n`;
    assert.equal(memoDimension(matrix(globbed)).ok, false);
  });

  it('answers any selection of cells in any order as evaluating each one does', function () {
    this.timeout(60_000);
    const m = example('unplugged-inaccessible.yaml');
    const pool = cells(m, 'release=7.2,backend=memory-backend-ram,unplugged-inaccessible=off,guest=6.1');
    const plain = new CellRunner(m);
    const expected = new Map(pool.map((c) => [c.index, JSON.stringify(plain.run(c))]));
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1, maxLength: 20 }), (picked) => {
        const memo = new CellMemo(new CellRunner(m));
        for (const cell of picked) assert.equal(JSON.stringify(memo.run(cell)), expected.get(cell.index));
      }),
      { numRuns: 5, seed: 16 },
    );
  });
});
