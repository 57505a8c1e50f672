/**
 * Reads compat/qmp-schema/ (written by scripts/device-data.ts): query-commands and
 * query-qmp-schema as each release's binary answers them, for the releases read from a binary.
 */
import type { Arch } from '../../core/arch.js';
import { packageRoot } from '../../core/package-root.js';
import type { Release } from '../../core/release.js';
import { releaseFile } from '../../core/release-file.js';

export interface QmpSchemaData {
  readonly release: string;
  readonly arch: Arch;
  readonly source: string;
  /** query-commands' names, in the binary's order. */
  readonly commands: readonly string[];
  /** query-qmp-schema's reply. */
  readonly schema: readonly unknown[];
}

export function qmpSchemaData(release: Release, arch: Arch, root: string = packageRoot()): QmpSchemaData | undefined {
  return releaseFile('qmp-schema', release, arch, root) as QmpSchemaData | undefined;
}
