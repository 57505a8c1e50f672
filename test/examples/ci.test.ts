/**
 * examples/ci: the GitHub Actions and GitLab CI workflows that split a matrix over parallel jobs,
 * run end to end here. Every `run:`/`script:` step of each job runs in bash as the CI system would
 * run it (GitHub: `bash -e`, with `${{ }}` expressions substituted; GitLab: the job's lines in
 * one shell, with CI_NODE_INDEX/CI_NODE_TOTAL per parallel job), the artifacts handed on through
 * one directory. `npm ci` is skipped (this clone is installed) and the workflow's MATRIX and
 * RESULTS_DIR point at a small matrix and a scratch directory. The merged result must be what one
 * whole run writes, byte for byte.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { SMALL } from '../matrix/fixtures.js';

const root = packageRoot();
type Env = Record<string, string>;

/**
 * `npx hotmem` resolves to the package's bin; the steps call that bin directly, so that each of
 * the two dozen steps does not also pay npm's own start-up (half a second here). The `before`
 * hook checks that npx and the bin still answer alike.
 */
const BIN = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { hotmem: string } }).bin.hotmem);
const NPX_AS_BIN = `npx() { if [ "$1" = hotmem ]; then shift; "${BIN}" "$@"; else command npx "$@"; fi; }\n`;

function bash(script: string, env: Env, options: { errexit: boolean }): void {
  const run = spawnSync('bash', [...(options.errexit ? ['-e'] : []), '-c', NPX_AS_BIN + script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `${script}\n${run.stdout}${run.stderr}`);
}

/** GitHub's expressions the workflow may use; any other is a test failure, not a silent pass. */
function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expression: string) => {
    const value = values[expression];
    if (value === undefined) throw new Error(`the workflow uses ${whole}, which this test does not emulate`);
    return value;
  });
}

interface GithubStep {
  readonly run?: string;
  readonly uses?: string;
}
interface GithubJob {
  readonly needs?: string | readonly string[];
  readonly strategy?: { readonly matrix: { readonly shard: readonly number[] } };
  readonly steps: readonly GithubStep[];
}

const isInstall = (script: string): boolean => /^npm ci\b/.test(script.trim());

describe('examples/ci: a matrix split over CI jobs, then merged', function () {
  this.timeout(300_000);
  let dir: string;
  let matrixFile: string;
  let whole: string;

  before(() => {
    const version = (command: string): string => spawnSync('bash', ['-c', command], { cwd: root, encoding: 'utf8' }).stdout;
    assert.equal(version(`"${BIN}" --version`), version('npx hotmem --version'), 'npx hotmem is the package bin');
    dir = mkdtempSync(join(tmpdir(), 'hotmem-ci-'));
    matrixFile = join(dir, 'small.yaml');
    writeFileSync(matrixFile, SMALL);
    const wholeFile = join(dir, 'whole.json');
    bash(`npx hotmem matrix run "${matrixFile}" --format json --out "${wholeFile}"`, {}, { errexit: true });
    whole = readFileSync(wholeFile, 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function checkMerged(results: string): void {
    assert.equal(readFileSync(join(results, 'matrix.json'), 'utf8'), whole, 'the merged slices are the whole run');
    assert.ok(readFileSync(join(results, 'matrix.html'), 'utf8').startsWith('<!DOCTYPE html>'));
    assert.match(readFileSync(join(results, 'matrix.xml'), 'utf8'), /^<\?xml[^>]*>\n<testsuites/);
  }

  it('GitHub Actions: strategy.matrix jobs run their slices, the report job merges them', () => {
    const workflow = parse(readFileSync(join(root, 'examples/ci/github-actions.yml'), 'utf8')) as { env: Env; jobs: Record<string, GithubJob> };
    const results = join(dir, 'github');
    const env: Env = { ...workflow.env, MATRIX: matrixFile, RESULTS_DIR: results };
    const shard = workflow.jobs['shard']!;
    const report = workflow.jobs['report']!;
    assert.deepEqual([report.needs].flat(), ['shard'], 'the report job runs last');
    const shards = shard.strategy!.matrix.shard;
    assert.ok(shards.length >= 2);
    shards.forEach((n, index) => {
      const values = {
        'matrix.shard': String(n),
        'strategy.job-index': String(index),
        'strategy.job-total': String(shards.length),
        'env.RESULTS_DIR': results,
        '!cancelled()': 'true',
      };
      for (const step of shard.steps) if (step.run && !isInstall(step.run)) bash(substitute(step.run, values), env, { errexit: true });
    });
    const values = { 'env.RESULTS_DIR': results, '!cancelled()': 'true' };
    for (const step of report.steps) if (step.run && !isInstall(step.run)) bash(substitute(step.run, values), env, { errexit: true });
    checkMerged(results);
  });

  it('GitLab CI: parallel: jobs run their slices, the report stage merges them', () => {
    const pipeline = parse(readFileSync(join(root, 'examples/ci/gitlab-ci.yml'), 'utf8')) as {
      stages: readonly string[];
      variables: Env;
      default: { before_script: readonly string[] };
      shard: { stage: string; parallel: number; script: readonly string[] };
      report: { stage: string; needs: readonly { job: string }[]; script: readonly string[] };
    };
    assert.deepEqual(
      pipeline.default.before_script.filter((line) => !isInstall(line)),
      [],
    );
    assert.ok(pipeline.stages.indexOf(pipeline.report.stage) > pipeline.stages.indexOf(pipeline.shard.stage), 'the report stage comes last');
    assert.deepEqual(
      pipeline.report.needs.map((n) => n.job),
      ['shard'],
    );
    const results = join(dir, 'gitlab');
    const env: Env = { ...pipeline.variables, MATRIX: matrixFile, RESULTS_DIR: results };
    const total = pipeline.shard.parallel;
    assert.ok(total >= 2);
    for (let index = 1; index <= total; index++) {
      bash(pipeline.shard.script.join('\n'), { ...env, CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) }, { errexit: true });
    }
    bash(pipeline.report.script.join('\n'), env, { errexit: true });
    checkMerged(results);
  });

  it('a missing slice leaves a partial run that names the slices it holds, never a whole one', () => {
    const results = join(dir, 'partial');
    const run = (i: number) =>
      bash(
        `mkdir -p "${results}" && npx hotmem matrix run "${matrixFile}" --shard ${i}/3 --format json --out "${results}/shard-${i}.json"`,
        {},
        { errexit: true },
      );
    run(1);
    run(3);
    const merged = spawnSync('bash', ['-c', `${NPX_AS_BIN}npx hotmem matrix merge "${results}"/shard-*.json --out "${results}/matrix.json"`], {
      cwd: root,
      encoding: 'utf8',
    });
    // Two of three shards merge into a partial run that says which shards it holds.
    assert.equal(merged.status, 0, merged.stderr);
    const partial = JSON.parse(readFileSync(join(results, 'matrix.json'), 'utf8')) as { selection: { shards?: { of: number; indexes: number[] } } };
    assert.deepEqual(partial.selection.shards, { of: 3, indexes: [1, 3] });
    assert.notEqual(readFileSync(join(results, 'matrix.json'), 'utf8'), whole);
  });
});
