/**
 * compat/ precompiled at build time (`npm run build`) into one JSON image per release, so a
 * command that models one release reads that release's few kilobytes instead of parsing and
 * schema-checking every YAML file. The YAML stays the source of truth: an image is written only
 * from documents that passed the schemas and the cross-checks, it holds exactly what the queries
 * read for its release, and it is used only while compat/ is as it was when the images were built
 * (an edit without a build falls back to the YAML).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inWindow, release as parseRelease, type Release } from '../../core/release.js';
import type { ArrayDoc, CompatDocuments, MachinesDoc } from './documents.js';
import { entryWindow } from './model.js';

/** What the images share: the state of compat/ they were built from and the releases (each has its own image). */
export interface ImageIndex {
  readonly stamp: string;
  /** What the stamp covers: compat/ itself and every directory and file under it, relative to it. */
  readonly paths: readonly string[];
  readonly releases: readonly string[];
}

/** Where a package root's images are written by the build. */
export const imageDir = (root: string): string => join(root, 'dist', 'compat');

const imageFile = (dir: string, version: string): string => join(dir, `${version}.json`);
const INDEX = 'index.json';

/** compat/ ('') and every directory (ending in /) and file under it (data and schemas), relative to it. */
function compatPaths(compatDir: string): string[] {
  const paths = [''];
  const walk = (prefix: string): void => {
    for (const entry of readdirSync(join(compatDir, prefix), { withFileTypes: true })) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        paths.push(`${path}/`);
        walk(`${path}/`);
      } else if (entry.isFile()) paths.push(path);
    }
  };
  walk('');
  return paths.sort();
}

/**
 * The size and modification time of each of `paths` (undefined once one is gone): an edit changes
 * its file's time, an added, removed or renamed file its directory's. Stat calls on the paths the
 * build recorded, without listing directories or hashing, keep the check near half a millisecond;
 * a checkout that only touches the times costs a fall back to the YAML until the next build.
 */
export function compatStamp(compatDir: string, paths: readonly string[]): string | undefined {
  try {
    return paths
      .map((path) => {
        const { size, mtimeMs } = statSync(join(compatDir, path));
        return `${path} ${size} ${mtimeMs}`;
      })
      .join('\n');
  } catch {
    return undefined;
  }
}

/** An array as release `r` has it: its window (so presence tests still answer) and only the entries it has then. */
function arrayAt(r: Release, array: ArrayDoc): ArrayDoc {
  return { ...array, entries: inWindow(r, array) ? array.entries.filter((e) => inWindow(r, entryWindow(e, array))) : [] };
}

function machinesAt(r: Release, doc: MachinesDoc): MachinesDoc {
  return {
    ...doc,
    series: doc.series.map((s) => ({ ...s, versions: s.versions.filter((v) => inWindow(r, v)) })),
    machines: doc.machines.filter((m) => inWindow(r, m)),
  };
}

/**
 * The documents pruned to what release `version` has: every query about that release answers
 * from them as from the whole documents (each query filters by the same windows).
 */
export function releaseImage(documents: CompatDocuments, version: string): CompatDocuments {
  const r = parseRelease(version);
  return {
    releases: { ...documents.releases, machineLifecycle: documents.releases.machineLifecycle.filter((l) => inWindow(r, l)) },
    buildFeatures: documents.buildFeatures,
    arrays: documents.arrays.map(({ file, doc }) => ({
      file,
      doc: { ...doc, arrays: Object.fromEntries(Object.entries(doc.arrays).map(([name, array]) => [name, arrayAt(r, array)])) },
    })),
    machines: documents.machines.map(({ file, doc }) => ({ file, doc: machinesAt(r, doc) })),
  };
}

/** Writes the index and one image per release; `documents` must already be checked (CompatData's constructor). */
export function writeImages(root: string, documents: CompatDocuments): ImageIndex {
  const dir = imageDir(root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const compatDir = join(root, 'compat');
  const paths = compatPaths(compatDir);
  const stamp = compatStamp(compatDir, paths);
  if (stamp === undefined) throw new Error(`internal: a file under ${compatDir} went while the images were written`);
  const index: ImageIndex = { stamp, paths, releases: documents.releases.releases.map((r) => r.version) };
  for (const version of index.releases) writeFileSync(imageFile(dir, version), JSON.stringify(releaseImage(documents, version)));
  writeFileSync(join(dir, INDEX), JSON.stringify(index));
  return index;
}

/** The images' index when they exist and were built from compat/ as it is now; otherwise undefined. */
export function freshImageIndex(root: string): ImageIndex | undefined {
  let index: ImageIndex;
  try {
    index = JSON.parse(readFileSync(join(imageDir(root), INDEX), 'utf8')) as ImageIndex;
  } catch {
    return undefined;
  }
  return index.stamp === compatStamp(join(root, 'compat'), index.paths) ? index : undefined;
}

export function readImage(root: string, version: string): CompatDocuments {
  return JSON.parse(readFileSync(imageFile(imageDir(root), version), 'utf8')) as CompatDocuments;
}
