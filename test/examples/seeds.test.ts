/**
 * The seed stories as runnable definitions (examples/seeds): every file passes the published
 * schema, runs with its assertions holding, and is listed in the README's seed table with a line
 * its run really prints.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatReport, RUN_ENVIRONMENT } from '../../src/cli/commands/run.js';
import { packageRoot } from '../../src/core/package-root.js';
import { readDefinitionSchema } from '../../src/frontends/yaml/index.js';
import { loadDefinitionFile } from '../../src/frontends/yaml/load.js';
import { runDefinition } from '../../src/frontends/yaml/run.js';

const root = packageRoot();
const SEEDS = join(root, 'examples', 'seeds');
const files = readdirSync(SEEDS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** The README's seed table (its columns padded or not): `examples/seeds/FILE` and the line of output it quotes. */
const README_ROW = /^\| `examples\/seeds\/([^`]+)` +\| .* \| `([^`]+)` *\|$/;
const readme = new Map(
  readFileSync(join(root, 'README.md'), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const m = README_ROW.exec(line);
      return m ? [[m[1]!, m[2]!] as const] : [];
    }),
);

describe('examples/seeds', () => {
  it('holds the seed stories, each listed once in the README', () => {
    assert.ok(files.length >= 5);
    assert.deepEqual([...readme.keys()].sort(), files);
  });

  const schema = readDefinitionSchema();
  for (const file of files) {
    it(`${file} passes the schema, runs with its assertions holding, and prints what the README says`, () => {
      const path = join(SEEDS, file);
      assert.ok(schema.validate(parse(readFileSync(path, 'utf8'))), JSON.stringify(schema.validate.errors));
      const report = runDefinition(loadDefinitionFile(path), RUN_ENVIRONMENT);
      const printed = formatReport(report);
      assert.equal(report.failures, 0, printed);
      const quoted = readme.get(file);
      assert.ok(quoted !== undefined, `the README's seed table has no row for ${file}`);
      assert.ok(printed.includes(quoted), `the README quotes '${quoted}', the run printed:\n${printed}`);
    });
  }
});
