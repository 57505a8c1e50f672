import assert from 'node:assert/strict';
import { progressBar } from '../../src/matrix/progress.js';

describe('matrix/progress: the bar on a terminal', () => {
  it('redraws in place at most ten times a second, always at the end, and erases itself', () => {
    const written: string[] = [];
    let now = 0;
    const bar = progressBar(
      (t) => written.push(t),
      () => now,
    );
    now = 1000;
    bar.update(10, 40);
    now = 1050;
    bar.update(20, 40);
    now = 2000;
    bar.update(40, 40);
    assert.deepEqual(written, [
      '\r[########......................] 10/40 cells  10/s  3 s left\u001b[K',
      '\r[##############################] 40/40 cells  20/s  0 s left\u001b[K',
    ]);
    assert.equal(bar.end(), 2);
    assert.equal(written.at(-1), '\r\u001b[K');
  });
});
