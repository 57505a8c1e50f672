/**
 * The start-up snapshot answers only for the package it was built in, while compat/ is as it was
 * then; anywhere else the hotmem script's process loads the bundle.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotOrigin, snapshotServes } from '../../build/snapshot-check.js';
import { compatStamp, imageDir } from '../../src/machine/compat-data/image.js';

/** A package root with a one-file compat/ and images' index written for it as the build writes it. */
function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'hotmem-snapshot-'));
  mkdirSync(join(root, 'compat'));
  writeFileSync(join(root, 'compat', 'releases.yaml'), 'releases: []\n');
  const paths = ['', 'releases.yaml'];
  mkdirSync(imageDir(root), { recursive: true });
  writeFileSync(join(imageDir(root), 'index.json'), JSON.stringify({ stamp: compatStamp(join(root, 'compat'), paths), paths, releases: [] }));
  return root;
}

describe('build/snapshot-check: when the start-up snapshot answers', () => {
  const root = scratchRoot();
  const other = scratchRoot();
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });
  const script = (at: string) => join(at, 'dist', 'build', 'hotmem');

  it('answers for the hotmem script of the package it was built in, also reached through a link', () => {
    const origin = snapshotOrigin(root);
    assert.ok(snapshotServes(origin, script(root)));
    const link = join(other, 'linked');
    symlinkSync(root, link);
    assert.ok(snapshotServes(origin, script(link)));
  });

  it('does not answer for another package (moved or copied after the build)', () => {
    assert.equal(snapshotServes(snapshotOrigin(root), script(other)), undefined);
  });

  it('does not answer once compat/ changed since the build, nor without it', () => {
    const origin = snapshotOrigin(other);
    utimesSync(join(other, 'compat', 'releases.yaml'), new Date(0), new Date(0));
    assert.equal(snapshotServes(origin, script(other)), undefined);
    rmSync(join(other, 'compat'), { recursive: true });
    assert.equal(snapshotServes(origin, script(other)), undefined);
  });

  it('is not built from images older than compat/', () => {
    const stale = scratchRoot();
    try {
      utimesSync(join(stale, 'compat', 'releases.yaml'), new Date(0), new Date(0));
      assert.throws(() => snapshotOrigin(stale), /compat images under .* are missing or older than compat/);
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });
});
