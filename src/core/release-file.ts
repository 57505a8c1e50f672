/**
 * compat/<dir>/<arch>-<release>.json, the data a release's binary gave (QMP schema, HMP commands):
 * read once and kept, as it never changes; undefined for a release read from no binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from './arch.js';
import { packageRoot } from './package-root.js';
import { processCache } from './process-cache.js';
import { releaseName, type Release } from './release.js';

const cache = processCache<string, unknown>();

export function releaseFile(dir: string, release: Release, arch: Arch, root: string = packageRoot()): unknown {
  const file = join(root, 'compat', dir, `${arch}-${releaseName(release)}.json`);
  if (!cache.has(file)) cache.set(file, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined);
  return cache.get(file);
}
