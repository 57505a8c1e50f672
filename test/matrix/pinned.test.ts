/**
 * The example matrices' answers, pinned: slices of each example run in one thread and the
 * digest of their cell results (one JSON line per cell, as the JSON report writes them) must not
 * move. Work that makes cells faster must leave every answer as it was; a change to what hotmem
 * models changes a digest here on purpose, and the commit says which answers moved and why.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { parseFilter } from '../../src/matrix/filter.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { runMatrix } from '../../src/matrix/runner.js';
import { compatData } from './fixtures.js';

const PINNED: ReadonlyArray<{ readonly matrix: string; readonly filter: string; readonly cells: number; readonly digest: string }> = [
  { matrix: 'unplugged-inaccessible', filter: 'release=8.1', cells: 1062, digest: '94b58d51a957a0c53f4df94b15394d13f64373d97a85b35bb902639d81a090c7' },
  { matrix: 'cross-release-migration', filter: 'source=9.2', cells: 104, digest: 'ed3258c8d190f06ac19546674f653eb4fec4a0361d0db818cb4476654a816c03' },
  {
    matrix: 'balloon-migration',
    filter: 'arch=s390x, host-kernel=linux-6.1, backend=memory-backend-ram',
    cells: 2,
    digest: '4e639c5b3ab99ae0f30c63e72d055b3d954e515306e70106b69e405068d76c1c',
  },
];

describe('examples/matrices: pinned answers', function () {
  this.timeout(120_000);
  for (const pin of PINNED) {
    it(`${pin.matrix} --filter '${pin.filter}': ${pin.cells} cells, digest unchanged`, async () => {
      const file = relative(process.cwd(), join(packageRoot(), 'examples/matrices', `${pin.matrix}.yaml`));
      const filter = parseFilter(pin.filter);
      assert.ok(filter.ok);
      const results = await runMatrix(loadMatrixFile(file, compatData()), { jobs: 1, filter: filter.filter, data: compatData() });
      const hash = createHash('sha256');
      for (const cell of results.cells) hash.update(`${JSON.stringify(cell)}\n`);
      assert.equal(results.cells.length, pin.cells);
      assert.equal(hash.digest('hex'), pin.digest);
    });
  }
});
