/**
 * The matrices in examples/matrices load, expand to the cells their descriptions promise, and
 * run; their rules state what QEMU and Linux do, so the unplugged-inaccessible and the
 * balloon-migration matrices must pass.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { expandMatrix, surveyMatrix } from '../../src/matrix/expand.js';
import { loadMatrixFile } from '../../src/matrix/load.js';
import { cellName, cellProblems } from '../../src/matrix/results.js';
import { runMatrix } from '../../src/matrix/runner.js';
import { compatData } from './fixtures.js';

const root = packageRoot();
const dir = join(root, 'examples/matrices');
const load = (name: string) => loadMatrixFile(relative(process.cwd(), join(dir, name)), compatData());

/** Every failing cell, with why: the example matrices must hold to their rules entirely. */
function failuresOf(r: Awaited<ReturnType<typeof runMatrix>>): string[] {
  return r.cells.filter((c) => c.status !== 'pass').map((c) => `${cellName(c)}: ${cellProblems(c).join('; ')}`);
}

describe('examples/matrices', function () {
  this.timeout(60_000);

  it('every file loads and expands', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    assert.deepEqual(files, ['balloon-migration.yaml', 'cross-release-migration.yaml', 'unplugged-inaccessible.yaml', 'virtio-mem-sizes.yaml']);
    for (const f of files) assert.ok(surveyMatrix(load(f), compatData(), {}).cells > 0, f);
  });

  it('unplugged-inaccessible covers every pc-i440fx and pc-q35 machine type of every modelled release × 2 backends × on/off/auto × 3 guests', () => {
    const data = compatData();
    const types = data
      .releases()
      .flatMap((r) =>
        data.machineTypes(r.version, 'x86_64', data.defaultBuildConfig('x86_64')).filter((t) => t.series?.id === 'pc-i440fx' || t.series?.id === 'pc-q35'),
      );
    const cells = expandMatrix(load('unplugged-inaccessible.yaml'), data);
    assert.equal(cells.length, types.length * 2 * 3 * 3);
    assert.ok(cells.length > 10_000);
  });

  it('unplugged-inaccessible runs, and a tenth of it (every tenth cell, so every release) holds to its rules', async () => {
    const r = await runMatrix(load('unplugged-inaccessible.yaml'), { jobs: 2, shard: { index: 1, count: 10 }, data: compatData() });
    assert.deepEqual(
      new Set(r.cells.map((c) => c.coordinates['release'])),
      new Set(
        compatData()
          .releases()
          .map((v) => v.version),
      ),
    );
    assert.deepEqual(failuresOf(r), []);
  });

  it('balloon-migration runs on x86_64 and s390x and holds to its rules', async () => {
    const r = await runMatrix(load('balloon-migration.yaml'), { jobs: 1, data: compatData() });
    assert.equal(r.cells.length, 2 * 3 * 2 * 2);
    assert.deepEqual(failuresOf(r), []);
  });

  it('cross-release-migration pairs every source and destination release from 7.0 on machine types both have, and answers every cell', async () => {
    const m = load('cross-release-migration.yaml');
    const cells = expandMatrix(m, compatData());
    const data = compatData();
    for (const c of cells) {
      for (const release of [c.coordinates['source']!, c.coordinates['destination']!]) {
        assert.ok(data.resolveMachineType(release, 'x86_64', c.coordinates['machine']!), `${String(c.coordinates['machine'])} on ${release}`);
      }
    }
    const r = await runMatrix(m, { jobs: 2, shard: { index: 1, count: 4 }, data });
    assert.deepEqual(r.cells.filter((c) => c.status === 'error').map(cellName), []);
  });

  it('virtio-mem-sizes has a million cells (every pc-i440fx and pc-q35 machine type × 3 memory sizes × 2 backends × 10 block sizes × 18 requested sizes)', () => {
    const data = compatData();
    const types = data
      .releases()
      .flatMap((r) =>
        data.machineTypes(r.version, 'x86_64', data.defaultBuildConfig('x86_64')).filter((t) => t.series?.id === 'pc-i440fx' || t.series?.id === 'pc-q35'),
      );
    const survey = surveyMatrix(load('virtio-mem-sizes.yaml'), data, {});
    assert.equal(survey.cells, types.length * 3 * 2 * 10 * 18);
    assert.ok(survey.cells >= 1_000_000);
  });

  it('virtio-mem-sizes holds to its rules on every release (a slice: one in 2,000 cells, every block and requested size)', async () => {
    const r = await runMatrix(load('virtio-mem-sizes.yaml'), { jobs: 1, shard: { index: 1, count: 1999 }, data: compatData() });
    assert.ok(r.cells.length > 500);
    assert.equal(new Set(r.cells.map((c) => c.coordinates['release'])).size, compatData().releases().length);
    assert.equal(new Set(r.cells.map((c) => `${c.coordinates['block-size']!} ${c.coordinates['requested-size']!}`)).size, 180);
    assert.deepEqual(failuresOf(r), []);
  });
});
