/**
 * Reads compat/hmp/ (written by scripts/hmp-data.ts): the human monitor's commands and `info`
 * subcommands of each release read from a binary.
 */
import type { Arch } from '../../core/arch.js';
import type { Release } from '../../core/release.js';
import { releaseFile } from '../../core/release-file.js';

export interface HmpCommandTable {
  readonly release: string;
  readonly arch: Arch;
  readonly source: string;
  /** Every command's names, aliases included (`c` and `cont`). */
  readonly commands: readonly string[];
  readonly info: readonly string[];
}

export function hmpCommandTable(release: Release, arch: Arch): HmpCommandTable | undefined {
  return releaseFile('hmp', release, arch) as HmpCommandTable | undefined;
}
