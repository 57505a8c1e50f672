import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../src/cli/app.js';
import { packageRoot } from '../../src/core/package-root.js';

const example = (...parts: string[]) => join(packageRoot(), 'examples', ...parts);

async function cli(argv: string[]) {
  const out: string[] = [];
  const status = await runCli(argv, { out: (t) => out.push(t), err: (t) => out.push(t) });
  return { status, text: out.join('') };
}

describe('cli: migrate and migrate-check', function () {
  this.timeout(20_000);
  const src = example('migration', 'auto-memfd-source.yaml');
  const dst = example('migration', 'auto-ram-destination.yaml');

  it('migrate-check predicts the auto mismatch and says why', async () => {
    const { status, text } = await cli(['migrate-check', src, dst]);
    assert.equal(status, 1);
    assert.match(text, /^incompatible at completion: Features 0x10130000003 unsupported\. Allowed features: 0x10179000001\n/);
    assert.match(text, /'auto' resolves to 'off' exactly when the memdev has the shared zeropage/);
  });

  it('migrate fails the same way on the destination and leaves the source running', async () => {
    const { status, text } = await cli(['migrate', src, dst]);
    assert.equal(status, 1);
    assert.match(text, /^migration failed on the destination: Features 0x10130000003 unsupported/);
  });

  it('a postcopy of the example pair completes', async () => {
    const { status, text } = await cli([
      'migrate',
      example('definitions', 'postcopy-source.yaml'),
      example('definitions', 'postcopy-destination.yaml'),
      '--postcopy',
    ]);
    assert.equal(status, 0, text);
    assert.match(text, /^migration completed\n/);
  });
});
