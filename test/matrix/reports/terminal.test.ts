import assert from 'node:assert/strict';
import { terminalReport } from '../../../src/matrix/reports/terminal.js';
import { results } from '../fixtures.js';
import { HAND } from './hand-results.js';

describe('matrix/reports/terminal', () => {
  it('shows the outcome, the behaviours with long texts as notes, and the cells with errors, failures and changes first', () => {
    assert.equal(
      terminalReport(HAND, { color: false, changed: new Set([1]) }),
      `hand.yaml: 4 of 4 cells (release (2) × guest (2))
  2 pass, 1 fail, 1 error, 1 changed

Behaviours (3), by the observations that differ between cells:
     cells  status     start  vm0.plugged  guest.errors  error
  A  2      fail/pass  ok     0 B          [1]           –
  B  1      pass       ok     1 GiB        none          –
  C  1      error      –      –            –             [2]
  [1] virtio_mem virtio0: virtio: device refuses features: 3
  [2] the 'migrate' step is not available in this build of hotmem

Cells
  #  release  guest  status  behaviour  rss@end
  3  8.0      6.1    error   C          –
      the 'migrate' step is not available in this build of hotmem
  2  8.0      5.15   fail    A          0 B
      hand.yaml:30:5 (expect[0]): vm0.plugged is '0', expected '1073741824'
  1  7.2      6.1    pass*   B          1 GiB
  0  7.2      5.15   pass    A          0 B
`,
    );
  });

  it('colours statuses on a terminal, padding outside the colour', () => {
    const text = terminalReport(HAND, { color: true });
    /* eslint-disable no-control-regex -- the colours are ANSI escape sequences */
    assert.match(text, /\u001b\[31mfail\u001b\[0m {4}A/);
    assert.match(text, /\u001b\[35merror\u001b\[0m {3}C/);
    assert.match(text, /\u001b\[32mpass\u001b\[0m {4}A/);
    /* eslint-enable no-control-regex */
  });

  it('lists the first cells of a large matrix and says where the rest are', () => {
    const many = results(
      [['n', Array.from({ length: 50 }, (_, i) => String(i))]],
      Array.from({ length: 50 }, () => ({ status: 'pass' as const })),
    );
    const text = terminalReport(many, { color: false, rows: 5 });
    assert.match(text, /Cells \(the first 5 of 50; errors, failures and changes first\)/);
    assert.match(text, /… 45 more cells: --format markdown, html or json lists every cell\n$/);
    assert.match(text, /Behaviours \(1\): every cell observed the same/);
  });
});
