/**
 * The million-cell example (examples/matrices/virtio-mem-sizes.yaml) split as CI splits it, on
 * a small slice: three `--shard I/3` runs of the bin, each writing its JSON results a cell at a
 * time, then `matrix merge` streaming them into one file, which must be what one run of the
 * slice writes, byte for byte; the merged file then renders as the HTML report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const root = packageRoot();
const BIN = join(root, 'dist', 'build', 'bin.cjs');
const MATRIX = 'examples/matrices/virtio-mem-sizes.yaml';
const SLICE = 'release=8.1,machine=pc-q35-8.1|pc-i440fx-1.7,memory=1GiB';

function hotmem(...args: string[]): string {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, `hotmem ${args.join(' ')}\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

describe('examples/matrices/virtio-mem-sizes: a slice sharded, streamed and merged', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'hotmem-million-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('three shards merge into the whole slice, byte for byte', () => {
    const whole = join(dir, 'whole.json');
    assert.match(hotmem('matrix', 'run', MATRIX, '--filter', SLICE, '--jobs', '1', '--out', whole), /^720 cells: 720 pass, 0 fail, 0 error; wrote /);
    for (const i of [1, 2, 3])
      hotmem('matrix', 'run', MATRIX, '--filter', SLICE, '--shard', `${i}/3`, '--jobs', i === 2 ? '2' : '1', '--out', join(dir, `shard-${i}.json`));
    const shards = [1, 2, 3].map((i) => join(dir, `shard-${i}.json`));
    const merged = join(dir, 'matrix.json');
    assert.match(hotmem('matrix', 'merge', ...shards, '--out', merged), /^720 cells: 720 pass, 0 fail, 0 error; wrote /);
    assert.equal(readFileSync(merged, 'utf8'), readFileSync(whole, 'utf8'));
    hotmem('matrix', 'merge', ...shards, '--out', join(dir, 'matrix.html'));
    assert.ok(readFileSync(join(dir, 'matrix.html'), 'utf8').startsWith('<!DOCTYPE html>'));
    // No spill file is left behind.
    assert.deepEqual(readdirSync(dir).sort(), ['matrix.html', 'matrix.json', 'shard-1.json', 'shard-2.json', 'shard-3.json', 'whole.json']);
  });
});
