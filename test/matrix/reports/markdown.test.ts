import assert from 'node:assert/strict';
import { markdownReport } from '../../../src/matrix/reports/markdown.js';
import { HAND } from './hand-results.js';

describe('matrix/reports/markdown', () => {
  it('writes the outcome, behaviours, failures with reasons, and every cell as tables', () => {
    assert.equal(
      markdownReport(HAND),
      `# hand.yaml

**4 of 4 cells**: 2 pass · 1 fail · 1 error. Dimensions: release (2) × guest (2).

## Behaviours

Cells grouped by what they observed; only observations that differ between cells are shown.

|  | cells | status | start | vm0.plugged | guest.errors | error |
|---|---|---|---|---|---|---|
| A | 2 | fail/pass | ok | 0 B | virtio_mem virtio0: virtio: device refuses features: 3 | – |
| B | 1 | pass | ok | 1 GiB | none | – |
| C | 1 | error | – | – | – | the 'migrate' step is not available in this build of hotmem |

## Failures and errors

| cell | status | reason |
|---|---|---|
| release=8.0 guest=5.15 | fail | hand.yaml:30:5 (expect[0]): vm0.plugged is '0', expected '1073741824' |
| release=8.0 guest=6.1 | error | the 'migrate' step is not available in this build of hotmem |

## Cells

| # | release | guest | status | behaviour | rss at end |
|---|---|---|---|---|---|
| 3 | 8.0 | 6.1 | error | C | – |
| 2 | 8.0 | 5.15 | fail | A | 0 B |
| 0 | 7.2 | 5.15 | pass | A | 0 B |
| 1 | 7.2 | 6.1 | pass | B | 1 GiB |
`,
    );
  });

  it('escapes table syntax in observations', () => {
    const text = markdownReport({
      ...HAND,
      cells: HAND.cells.map((c) => (c.index === 1 ? { ...c, observations: { ...c.observations, 'guest.errors': 'a|b\nc' } } : c)),
    });
    assert.match(text, /\| a\\\|b<br>c \|/);
  });
});
