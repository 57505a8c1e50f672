/**
 * When the start-up snapshot may answer. Its heap holds what modules resolve once per process
 * from the package root (OWN_ROOT; the release data its warm-up read is dropped, but nothing
 * proves that no module keeps more), so it answers only for the package it was built in, while compat/ is as it was then: the same rule
 * the compat images follow (image.ts), checked once per start instead of once per load.
 */
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freshImageIndex, type ImageIndex } from '../src/machine/compat-data/image.js';

/** The package root and compat/'s state the snapshot was built from. */
export interface SnapshotOrigin {
  readonly root: string;
  readonly stamp: string;
}

/** The origin of a snapshot built now from `root`; the build fails without fresh compat images. */
export function snapshotOrigin(root: string): SnapshotOrigin {
  const stamp = freshImageIndex(root)?.stamp;
  if (stamp === undefined) throw new Error(`snapshot: the compat images under ${root} are missing or older than compat/`);
  return { root: realpathSync.native(root), stamp };
}

/**
 * The images' index when the snapshot from `origin` answers for the `hotmem` script at `script`
 * (in dist/build of its package): the compat data then loads from it without a second look.
 */
export function snapshotServes(origin: SnapshotOrigin, script: string): ImageIndex | undefined {
  try {
    if (realpathSync.native(join(dirname(script), '..', '..')) !== origin.root) return undefined;
    const index = freshImageIndex(origin.root);
    return index?.stamp === origin.stamp ? index : undefined;
  } catch {
    return undefined;
  }
}
