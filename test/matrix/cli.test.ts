import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/app.js';
import { matrixCommand } from '../../src/cli/commands/matrix.js';
import { SMALL } from './fixtures.js';

async function hotmem(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, [matrixCommand]);
  return { status, out: out.join(''), err: err.join('') };
}

describe('hotmem matrix', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const at = (name: string) => join(dir, name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotmem-matrix-'));
    file = at('small.yaml');
    writeFileSync(file, SMALL);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('run prints the terminal report and exits 0 when every cell passes', async () => {
    const r = await hotmem('matrix', 'run', file, '--jobs', '1');
    assert.equal(r.status, 0, r.err);
    assert.ok(r.out.startsWith(`${file}: 24 of 24 cells (release (3) × machine (3) × backend (2) × ui (2) × guest (2))\n  24 pass, 0 fail, 0 error\n`));
    assert.equal(r.err, '');
  });

  it('run writes the format the --out extension names, and says so', async () => {
    for (const [name, start] of [
      ['r.json', '{\n  "format": "hotmem-matrix-results/1"'],
      ['r.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites'],
      ['r.md', `# ${file}\n`],
      ['r.html', '<!DOCTYPE html>'],
    ] as const) {
      const r = await hotmem('matrix', 'run', file, '--jobs', '1', '--filter', 'release=7.2', '--out', at(name));
      assert.equal(r.out, `8 cells: 8 pass, 0 fail, 0 error; wrote ${at(name)}\n`);
      assert.ok(readFileSync(at(name), 'utf8').startsWith(start), name);
    }
  });

  it('shards merge into exactly what one run writes, and diff finds them equal', async () => {
    await hotmem('matrix', 'run', file, '--jobs', '2', '--out', at('whole.json'));
    await hotmem('matrix', 'run', file, '--jobs', '1', '--shard', '1/2', '--out', at('s1.json'));
    await hotmem('matrix', 'run', file, '--jobs', '1', '--shard', '2/2', '--out', at('s2.json'));
    const merged = await hotmem('matrix', 'merge', at('s2.json'), at('s1.json'), '--out', at('merged.json'));
    assert.equal(merged.status, 0, merged.err);
    assert.equal(readFileSync(at('merged.json'), 'utf8'), readFileSync(at('whole.json'), 'utf8'));
    const same = await hotmem('matrix', 'diff', at('whole.json'), at('merged.json'));
    assert.equal(same.status, 0);
    assert.match(same.out, /cells matched on release, machine, backend, ui, guest: 0 changed, 24 unchanged/);
  });

  it('diff exits 1 and shows what changed; --baseline marks the changed cells of a run', async () => {
    const whole = JSON.parse(readFileSync(at('whole.json'), 'utf8')) as { cells: Array<{ observations: Record<string, string> }> };
    whole.cells[5]!.observations['vm0.plugged'] = '1';
    writeFileSync(at('edited.json'), JSON.stringify(whole));
    const d = await hotmem('matrix', 'diff', at('edited.json'), at('whole.json'));
    assert.equal(d.status, 1);
    assert.match(d.out, /release=7\.2 machine=pc-q35-7\.2 backend=memory-backend-memfd ui=on guest=6\.1\n {2}vm0\.plugged: 1 B → 256 MiB\n/);
    const marked = await hotmem('matrix', 'run', file, '--jobs', '1', '--baseline', at('edited.json'));
    assert.match(marked.out, /24 pass, 0 fail, 0 error, 1 changed/);
    assert.match(marked.out, /\n {2}5 +7\.2 +pc-q35-7\.2 +memory-backend-memfd +on +6\.1 +pass\* /);
  });

  it('run exits 1 when a cell fails', async () => {
    writeFileSync(at('failing.yaml'), SMALL.replace('then: { vm0.plugged: 0 }', 'then: { vm0.plugged: 1GiB }'));
    const r = await hotmem('matrix', 'run', at('failing.yaml'), '--jobs', '1', '--filter', 'release=7.2');
    assert.equal(r.status, 1);
    assert.match(r.out, /6 pass, 2 fail, 0 error/);
  });

  const USAGE: ReadonlyArray<readonly [string[], RegExp]> = [
    [['matrix'], /expects run, merge or diff/],
    [['matrix', 'frob'], /unknown matrix command 'frob' \(run, merge, diff\)/],
    [['matrix', 'run'], /matrix run expects one matrix file/],
    [['matrix', 'run', 'FILE', '--shard', '3/2'], /--shard 3\/2: I must be between 1 and N/],
    [['matrix', 'run', 'FILE', '--jobs', '0'], /--jobs takes a whole number of at least 1 \(got '0'\)/],
    [
      ['matrix', 'run', 'FILE', '--filter', 'relase=7.2'],
      /--filter: there is no dimension 'relase' \(release, machine, backend, ui, guest\); did you mean 'release'\?/,
    ],
    [['matrix', 'run', 'FILE', '--filter', 'release'], /--filter: 'release' is not NAME=VALUE/],
    [['matrix', 'run', 'FILE', '--format', 'pdf'], /option '--format' must be one of terminal, json, junit, markdown, html/],
    [['matrix', 'merge', 'a.json'], /matrix merge expects two or more results files/],
    [['matrix', 'diff', 'a.json'], /matrix diff expects OLD\.json NEW\.json/],
  ];
  for (const [argv, message] of USAGE) {
    it(`${argv.join(' ')} is a usage error`, async () => {
      const r = await hotmem(...argv.map((a) => (a === 'FILE' ? file : a)));
      assert.equal(r.status, 2);
      assert.match(r.err, message);
      assert.match(r.err, /Usage: hotmem matrix run FILE\.yaml/);
    });
  }

  it('an invalid matrix file exits 1, listing its problems at line and column', async () => {
    writeFileSync(at('bad.yaml'), SMALL.replace('"${guest}"', '"${gust}"'));
    const r = await hotmem('matrix', 'run', at('bad.yaml'));
    assert.equal(r.status, 1);
    assert.equal(r.err, `hotmem matrix: ${at('bad.yaml')}:15:20: scenario.guest.kernel: there is no dimension 'gust'; did you mean 'guest'?\n`);
  });

  it('names files it cannot read', async () => {
    assert.deepEqual(await hotmem('matrix', 'run', at('nosuch.yaml')), {
      status: 1,
      out: '',
      err: `hotmem matrix: cannot read ${at('nosuch.yaml')}: no such file\n`,
    });
    assert.equal((await hotmem('matrix', 'diff', at('whole.json'), at('nosuch.json'))).err, `hotmem matrix: cannot read ${at('nosuch.json')}: no such file\n`);
  });

  it('merge refuses results of different matrices, and runs that are not shards', async () => {
    await hotmem('matrix', 'run', at('failing.yaml'), '--jobs', '1', '--shard', '2/2', '--out', at('other.json'));
    const r = await hotmem('matrix', 'merge', at('s1.json'), at('other.json'));
    assert.equal(r.status, 1);
    assert.match(r.err, /other\.json is a run of another matrix/);
    const whole = await hotmem('matrix', 'merge', at('whole.json'), at('s1.json'));
    assert.match(whole.err, /whole\.json holds a whole run, not a shard/);
  });
});
