/**
 * Every module of the framework, the devices and the machines loads on its own and does nothing
 * when it loads (no output, no throw): modules hold no state and start no work (ARCHITECTURE:
 * "No module-level mutable state"). Modules that only declare types are loaded too, so the
 * coverage report counts them as what they are: nothing to execute.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sinon from 'sinon';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Entry points: loading them is running them (the hotmem command, a matrix worker thread). */
const ENTRY_POINTS = new Set(['src/cli/main.js', 'src/matrix/worker.js']);

const modules = ['src', 'devices', 'machines']
  .flatMap((dir) => readdirSync(join(DIST, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f}`))
  .filter((f) => f.endsWith('.js') && !ENTRY_POINTS.has(f))
  .sort();

describe('modules', () => {
  it('finds the framework, device and machine modules', () => {
    assert.ok(modules.includes('src/index.js') && modules.some((m) => m.startsWith('devices/')) && modules.some((m) => m.startsWith('machines/')));
  });

  for (const module of modules) {
    it(`${module} loads without output`, async () => {
      const out = sinon.stub(process.stdout, 'write').returns(true);
      const err = sinon.stub(process.stderr, 'write').returns(true);
      try {
        await import(pathToFileURL(join(DIST, module)).href);
      } finally {
        out.restore();
        err.restore();
      }
      assert.deepEqual([...out.args, ...err.args], []);
    });
  }
});
