/**
 * Reads compat/cpus/ (written by scripts/cpu-data.ts from the real binaries): what realizing a CPU
 * model prints under TCG, for the releases a binary was read from. The files are small and
 * immutable; each is read once, the first time a -cpu model is asked about.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../core/arch.js';
import { HotmemError, type Warning } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { processCache } from '../../core/process-cache.js';
import { releaseName, type Release } from '../../core/release.js';
import type { ReleaseCpus, X86Features } from './format.js';

/** What realizing the model does under TCG: warnings, then the start-up error when it is refused. */
export interface CpuModelRealize {
  readonly warnings: readonly Warning[];
  readonly error?: HotmemError;
}

const WARNING = 'warning: ';
const cache = processCache<string, ReleaseCpus | null>();

function releaseCpus(release: Release, arch: Arch, root: string): ReleaseCpus | undefined {
  const file = join(root, 'compat', 'cpus', `${arch}-${releaseName(release)}.json`);
  if (!cache.has(file)) cache.set(file, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ReleaseCpus) : null);
  return cache.get(file) ?? undefined;
}

/**
 * The model's realize under TCG, or undefined when no binary of the release was read. Under a
 * refusal, the first line that is not a warning is the error and the lines after it its hints
 * (error_append_hint), printed unprefixed on the lines below it.
 */
export function tcgCpuModelRealize(release: Release, arch: Arch, model: string, root: string = packageRoot()): CpuModelRealize | undefined {
  const data = releaseCpus(release, arch, root);
  if (!data) return undefined;
  const outcome = data.models[model];
  if (!outcome) return { warnings: [] };
  const lines = outcome.lines.map((i) => data.lines[i]!);
  const firstError = outcome.refused ? lines.findIndex((l) => !l.startsWith(WARNING)) : lines.length;
  const warnings = lines
    .slice(0, firstError)
    .map((l): Warning =>
      l.startsWith(WARNING)
        ? { code: 'machine.cpu-model', message: l.slice(WARNING.length) }
        : { code: 'machine.cpu-model', message: l, reportedAsError: true },
    );
  if (!outcome.refused) return { warnings };
  return { warnings, error: new HotmemError('machine.cpu-model', lines.slice(firstError).join('\n')) };
}

/** The release's x86 feature flags (format.ts X86Features), or undefined when no binary was read. */
export function x86Features(release: Release, root: string = packageRoot()): X86Features | undefined {
  return releaseCpus(release, 'x86_64', root)?.features;
}
