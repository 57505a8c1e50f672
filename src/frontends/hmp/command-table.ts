/**
 * Reads compat/hmp/ (written by scripts/hmp-data.ts): the human monitor's commands and `info`
 * subcommands of each release read from a binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { packageRoot } from '../../core/package-root.js';
import { releaseName, type Release } from '../../core/release.js';

export interface HmpCommandTable {
  readonly release: string;
  readonly arch: Arch;
  readonly source: string;
  /** Every command's names, aliases included (`c` and `cont`). */
  readonly commands: readonly string[];
  readonly info: readonly string[];
}

const cache = new Map<string, HmpCommandTable | null>();

export function hmpCommandTable(release: Release, arch: Arch): HmpCommandTable | undefined {
  const file = join(packageRoot(), 'compat', 'hmp', `${arch}-${releaseName(release)}.json`);
  if (!cache.has(file)) cache.set(file, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HmpCommandTable) : null);
  return cache.get(file) ?? undefined;
}
