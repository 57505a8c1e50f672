/**
 * Which QEMU binary a command models, from --qemu-version, --arch and --build: a modelled release,
 * a target, and the build's switches, answered from the compat data alone (no device or
 * machine code), so a command that only lists machine types loads nothing else.
 */
import { isArch, type Arch } from '../core/arch.js';
import { release as parseRelease, releaseName, type Release } from '../core/release.js';
import type { CompatData } from '../machine/compat-data/compat-data.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import type { BuildConfig } from '../machine/compat-data/types.js';
import { UsageError } from './command.js';

export const BINARY_OPTIONS = [
  { name: 'qemu-version', takesValue: true },
  { name: 'arch', takesValue: true, choices: ['x86_64', 's390x'] },
  { name: 'build', takesValue: true, choices: ['debian', 'upstream'] },
] as const;

export interface BinaryTarget {
  readonly release: Release;
  readonly arch: Arch;
  readonly data: CompatData;
  readonly build: BuildConfig;
}

export function binaryTarget(options: ReadonlyMap<string, string | true>): BinaryTarget {
  const data = loadCompatData();
  const versionText = (options.get('qemu-version') as string | undefined) ?? data.newestRelease().version;
  if (!data.isModelled(versionText)) {
    throw new UsageError(
      `--qemu-version ${versionText} is not a modelled release (${data
        .releases()
        .map((r) => r.version)
        .join(', ')})`,
    );
  }
  const archText = (options.get('arch') as string | undefined) ?? 'x86_64';
  if (!isArch(archText)) throw new UsageError(`--arch must be x86_64 or s390x (got '${archText}')`);
  return { release: parseRelease(versionText), arch: archText, data, build: buildOf(data, options.get('build') as string | undefined, versionText, archText) };
}

/**
 * The build switches the modelled binary has: Debian's build of the release where hotmem records
 * one (what a user of that release most likely runs), else a plain ./configure; `--build`
 * chooses. Asking for a Debian build hotmem does not record is refused, naming the release.
 */
function buildOf(data: CompatData, requested: string | undefined, release: string, arch: Arch): BuildConfig {
  if (requested === 'upstream') return data.defaultBuildConfig(arch);
  const debian = data.distributionBuild('debian', release, arch);
  if (debian) return debian;
  if (requested === undefined) return data.defaultBuildConfig(arch);
  throw new UsageError(
    `--build debian: hotmem has no record of Debian's build of QEMU ${release} (it has ${data.distributionReleases('debian').join(', ')}); --build upstream models a plain ./configure`,
  );
}

/** What the target's `-machine help` prints. */
export const machineHelp = (t: BinaryTarget): string => t.data.formatMachineHelp(releaseName(t.release), t.arch, t.build);
