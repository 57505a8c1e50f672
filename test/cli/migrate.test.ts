import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../src/cli/app.js';
import { packageRoot } from '../../src/core/package-root.js';
import { migratePair } from '../../src/cli/commands/migrate.js';

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
    assert.match(text, /^guest \(linux-[\d.]+\): runs on the source$/m);
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
    assert.match(text, /^guest \(linux-6\.1\): runs on the destination$/m);
  });

  it('the guest that moved runs on the destination: its writes land in the destination RAM', () => {
    const { destination, source, guest, outcome } = migratePair(
      [example('definitions', 'postcopy-source.yaml'), example('definitions', 'postcopy-destination.yaml')],
      {
        bandwidth: 1.25e9,
      },
    );
    assert.equal(outcome.kind, 'completed');
    assert.equal(guest?.machine, destination);
    const [src, dst] = [source.process.status().vmRss, destination.process.status().vmRss];
    guest.memory.write(1536 * 2 ** 20, 64 * 2 ** 20, 1);
    assert.equal(destination.process.status().vmRss - dst, 64 * 2 ** 20);
    assert.equal(source.process.status().vmRss, src);
  });
});
