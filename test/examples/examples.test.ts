/**
 * Every YAML example shipped with hotmem runs, and its expectations hold: examples are the
 * documentation users copy from, so one that no longer works is a failing test.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { loadDefinitionFile } from '../../src/frontends/yaml/load.js';
import { runDefinition } from '../../src/frontends/yaml/run.js';
import { RUN_ENVIRONMENT, formatReport } from '../../src/cli/commands/run.js';
import { runCli } from '../../src/cli/app.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      // Matrix files are not machine definitions (test/matrix/examples.test.ts runs them); the
      // seeds run in seeds.test.ts, which also holds the README to their output.
      if (statSync(path).isDirectory()) return name === 'matrices' || name === 'seeds' ? [] : yamlFiles(path);
      return name.endsWith('.yaml') ? [path] : [];
    });
}

/** Definitions that are the destination half of a migration run only through their source. */
const DESTINATIONS = new Set(['postcopy-destination.yaml']);

describe('examples', () => {
  const root = packageRoot();
  for (const file of yamlFiles(join(root, 'examples'))) {
    if (DESTINATIONS.has(file.split('/').at(-1)!)) continue;
    it(`${relative(root, file)} runs and its expectations hold`, () => {
      const report = runDefinition(loadDefinitionFile(file), RUN_ENVIRONMENT);
      assert.equal(report.failures, 0, formatReport(report));
    });
  }

  it('hotmem demo prints the seed experiment and exits 0', async () => {
    const out: string[] = [];
    const status = await runCli(['demo'], { out: (t) => out.push(t), err: (t) => out.push(t) });
    assert.equal(status, 0, out.join(''));
    assert.match(out.join(''), /x86_64 +linux-6\.1 +memory-backend-memfd +16\.00 GiB/);
    assert.match(out.join(''), /s390x +linux-6\.10 +memory-backend-ram +0\.0 MiB/);
  });
});
