/**
 * The JUnit XML report, for CI systems: one <testsuite> per value of the first dimension, one
 * <testcase> per cell. A failed cell carries <failure> with the broken expectations, an
 * unanswerable one <error>; both add their observations as <system-out>. Times are 0 because a
 * cell's result does not depend on how long it took, and the report stays byte-identical across
 * runs.
 */
import { basename, extname } from 'node:path';
import { observationText } from '../format.js';
import type { CellResult, MatrixResults } from '../results.js';

/** Text XML 1.0 can hold: no C0 controls but tab, newline and carriage return. */
const xmlText = (s: string): string =>
  s
    // eslint-disable-next-line no-control-regex -- these are the control characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
const attr = (s: string): string => xmlText(s).replaceAll('"', '&quot;').replaceAll('\n', '&#10;');

function testcase(c: CellResult, classname: string, dims: readonly string[], first: string): string[] {
  const name =
    dims
      .filter((d) => d !== first)
      .map((d) => `${d}=${c.coordinates[d]!}`)
      .join(' ') || `${first}=${c.coordinates[first]!}`;
  const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" time="0"`;
  if (c.status === 'pass') return [`${open}/>`];
  const out = Object.entries(c.observations)
    .map(([k, v]) => `${k}: ${observationText(k, v)}`)
    .join('\n');
  const element =
    c.status === 'fail'
      ? `      <failure message="${attr(c.failures[0]!)}" type="expectation">${xmlText(c.failures.join('\n'))}</failure>`
      : `      <error message="${attr(c.error.split('\n')[0]!)}" type="hotmem">${xmlText(c.error)}</error>`;
  return [`${open}>`, element, ...(out === '' ? [] : [`      <system-out>${xmlText(out)}</system-out>`]), '    </testcase>'];
}

export function junitReport(results: MatrixResults): string {
  const dims = results.matrix.dimensions.map((d) => d.name);
  const first = dims[0]!;
  const stem = basename(results.matrix.file, extname(results.matrix.file));
  const suites = new Map<string, CellResult[]>();
  for (const c of results.cells) {
    const key = c.coordinates[first]!;
    const suite = suites.get(key);
    if (suite) suite.push(c);
    else suites.set(key, [c]);
  }
  const count = (cells: readonly CellResult[], status: CellResult['status']) => cells.filter((c) => c.status === status).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(results.matrix.file)}" tests="${results.cells.length}" failures="${results.summary.fail}" errors="${results.summary.error}" skipped="0" time="0">`,
  ];
  for (const [value, cells] of suites) {
    const suite = `${first}=${value}`;
    lines.push(
      `  <testsuite name="${attr(`${stem} ${suite}`)}" tests="${cells.length}" failures="${count(cells, 'fail')}" errors="${count(cells, 'error')}" skipped="0" time="0">`,
    );
    for (const c of cells) lines.push(...testcase(c, `${stem}.${suite}`, dims, first));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
