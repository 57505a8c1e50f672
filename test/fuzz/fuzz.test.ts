/**
 * The short fuzz run: every front end's target for a few thousand inputs from a fixed seed (the
 * long run, `npm run fuzz`, takes a million each from fresh seeds).
 */
import assert from 'node:assert/strict';
import { runTarget } from './run-target.js';
import { TARGETS } from './targets.js';

const SHORT: Readonly<Record<string, number>> = { 'qmp-stream': 2000, 'command-line': 1000, yaml: 1000, virtqueue: 5000 };

describe('fuzz: every front end, short run (no crash, hang, or state changed by a rejected input)', function () {
  this.timeout(120_000);
  for (const [name, make] of Object.entries(TARGETS)) {
    it(`${name}: ${SHORT[name] ?? 1000} inputs`, () => {
      const run = runTarget(make(), 20261207, SHORT[name] ?? 1000);
      assert.equal(run.failure, undefined, run.failure);
      assert.equal(run.inputs, SHORT[name]);
    });
  }
});
