import assert from 'node:assert/strict';
import { parseResults } from '../../../src/matrix/read-results.js';
import { jsonReport } from '../../../src/matrix/reports/json.js';
import { HAND } from './hand-results.js';

describe('matrix/reports/json', () => {
  it('holds the full results, read back unchanged', () => {
    assert.deepEqual(parseResults(jsonReport(HAND), 'hand.json'), HAND);
  });

  it('writes one line per cell, so a changed cell is one changed line', () => {
    const lines = jsonReport(HAND).split('\n');
    const first = lines.indexOf('  "cells": [');
    assert.deepEqual(
      lines.slice(first + 1, first + 5).map((l) => (JSON.parse(l.trim().replace(/,$/, '')) as { index: number }).index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(lines.slice(first + 5), ['  ]', '}', '']);
  });

  it('refuses files that are not matrix results, naming them', () => {
    assert.throws(() => parseResults('{', 'x.json'), /^HotmemError: x\.json: not JSON/);
    assert.throws(() => parseResults('{"dimensions": {}}', 'm.json'), /m\.json: not hotmem matrix results \(hotmem-matrix-results\/1\)/);
  });
});
