import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneStale } from '../../build/prune-stale.js';

describe('build/prune-stale: compiled files whose source is gone', () => {
  it('removes them, and keeps what a source (.ts or .cts) or no compiler made', () => {
    const root = mkdtempSync(join(tmpdir(), 'hotmem-prune-'));
    try {
      const files: Record<string, string> = {
        'src/kept.ts': '',
        'src/loader.cts': '',
        'dist/src/kept.js': '',
        'dist/src/kept.d.ts': '',
        'dist/src/loader.cjs': '',
        'dist/src/gone.js': '',
        'dist/src/gone.js.map': '',
        'dist/src/gone.d.ts': '',
        'dist/src/deep/gone.test.js': '',
        'dist/src/launcher': '',
        'dist/other/gone.js': '',
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      assert.deepEqual(pruneStale(root, ['src']).sort(), ['dist/src/deep/gone.test.js', 'dist/src/gone.d.ts', 'dist/src/gone.js', 'dist/src/gone.js.map']);
      assert.deepEqual(readdirSync(join(root, 'dist', 'src')).sort(), ['deep', 'kept.d.ts', 'kept.js', 'launcher', 'loader.cjs']);
      assert.deepEqual(readdirSync(join(root, 'dist', 'other')), ['gone.js'], 'a folder tsc does not compile into is left alone');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
