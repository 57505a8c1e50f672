/**
 * One shard of a long fuzz run, in its own process: runs a target from a seed and reports its
 * progress and result to the parent (test/fuzz/long-run.ts), which watches for hangs.
 */
import { runTarget } from './run-target.js';
import { TARGETS } from './targets.js';

const [name, seedText, inputsText] = process.argv.slice(2);
const make = TARGETS[name ?? ''];
if (!make || !process.send) {
  console.error(`usage (forked by long-run): worker.js <${Object.keys(TARGETS).join('|')}> SEED INPUTS`);
  process.exit(2);
}
const run = runTarget(make(), Number(seedText), Number(inputsText), (done) => process.send!({ kind: 'progress', done }));
process.send({ kind: 'done', run }, () => process.exit(0));
