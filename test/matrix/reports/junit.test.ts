import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../src/core/package-root.js';
import { junitReport } from '../../../src/matrix/reports/junit.js';
import { runMatrix } from '../../../src/matrix/runner.js';
import { compatData, matrix, SMALL } from '../fixtures.js';
import { HAND } from './hand-results.js';
import { junitProblems } from './junit-structure.js';

function xmllint(): string | undefined {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return 'xmllint';
  } catch {
    return undefined;
  }
}

/** xmllint's verdict against junit.xsd: undefined when valid, else its complaint. */
function schemaVerdict(xml: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    execFileSync('xmllint', ['--noout', '--schema', join(packageRoot(), 'test/matrix/reports/junit.xsd'), file], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('matrix/reports/junit', function () {
  this.timeout(30_000);

  it('writes a suite per value of the first dimension and a testcase per cell, outcomes with their reasons', () => {
    const xml = junitReport(HAND);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hand.yaml" tests="4" failures="1" errors="1" skipped="0" time="0">\n'));
    assert.ok(
      xml.includes(
        '  <testsuite name="hand release=7.2" tests="2" failures="0" errors="0" skipped="0" time="0">\n    <testcase classname="hand.release=7.2" name="guest=5.15" time="0"/>\n',
      ),
    );
    assert.ok(xml.includes(`      <failure message="hand.yaml:30:5 (expect[0]): vm0.plugged is '0', expected '1073741824'" type="expectation">`));
    assert.ok(xml.includes(`      <error message="the 'migrate' step is not available in this build of hotmem" type="hotmem">`));
    assert.ok(xml.includes('<system-out>start: ok\nvm0.plugged: 0 B\n'));
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    const xml = junitReport({ ...HAND, cells: HAND.cells.map((c) => (c.status === 'fail' ? { ...c, failures: ['<a & "b">\u0007'] } : c)) });
    assert.ok(xml.includes('<failure message="&lt;a &amp; &quot;b&quot;&gt;" type="expectation">&lt;a &amp; "b"&gt;</failure>'));
    assert.deepEqual(junitProblems(xml), []);
  });

  it('passes the structural check (counts included) for hand-made and real results', async () => {
    assert.deepEqual(junitProblems(junitReport(HAND)), []);
    const real = await runMatrix(matrix(SMALL), { jobs: 1, data: compatData() });
    assert.deepEqual(junitProblems(junitReport(real)), []);
  });

  it('the structural check catches what it is there for', () => {
    assert.deepEqual(junitProblems(junitReport(HAND).replace('tests="4"', 'tests="5"')), ['<testsuites> says tests="5" but its suites have 4']);
    assert.match(junitProblems(junitReport(HAND).replace('</testcase>', ''))[0]!, /is not closed/);
    assert.deepEqual(junitProblems(junitReport(HAND).replace('<testsuites', '<results').replace('</testsuites>', '</results>')), [
      'the root is <results>, not <testsuites>',
    ]);
  });

  it('is valid against the JUnit XML schema (junit.xsd, checked with xmllint)', function () {
    if (!xmllint()) {
      console.log('      skipped: xmllint is not installed (apt-get install libxml2-utils)');
      this.skip();
    }
    assert.equal(schemaVerdict(junitReport(HAND)), undefined);
    assert.match(schemaVerdict(junitReport(HAND).replace('tests="2"', 'tests="two"')) ?? '', /not a valid value/);
  });
});
