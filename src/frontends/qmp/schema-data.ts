/**
 * Reads compat/qmp-schema/ (written by scripts/device-data.ts): query-commands and
 * query-qmp-schema as each release's binary answers them, for the releases read from a binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { packageRoot } from '../../core/package-root.js';
import { releaseName, type Release } from '../../core/release.js';

export interface QmpSchemaData {
  readonly release: string;
  readonly arch: Arch;
  readonly source: string;
  /** query-commands' names, in the binary's order. */
  readonly commands: readonly string[];
  /** query-qmp-schema's reply. */
  readonly schema: readonly unknown[];
}

/** The data by file (null for a release without one); read once, it never changes. */
const cache = new Map<string, QmpSchemaData | null>();

export function qmpSchemaData(release: Release, arch: Arch, root: string = packageRoot()): QmpSchemaData | undefined {
  const file = join(root, 'compat', 'qmp-schema', `${arch}-${releaseName(release)}.json`);
  if (!cache.has(file)) cache.set(file, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as QmpSchemaData) : null);
  return cache.get(file) ?? undefined;
}
