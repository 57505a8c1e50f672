/**
 * The shapes of the YAML documents under compat/, as their JSON schemas (compat/schema/) admit
 * them. Only the loader sees these; queries work on the model built from them.
 */
import type { Arch } from '../../core/arch.js';
import type { QemuRelease } from './types.js';

/** A half-open release window: present in releases since <= r < until (core/release.ts). */
export interface WindowDoc {
  readonly since: string;
  readonly until?: string;
}

export interface ReleasesDoc {
  readonly releases: readonly QemuRelease[];
  readonly machineLifecycle: readonly LifecycleDoc[];
}

export interface LifecycleDoc extends WindowDoc {
  readonly deprecationYears: number;
  readonly deletionYears: number;
  readonly deletion: 'always' | 'when-QEMU_DELETE_MACHINES';
  readonly deprecationReason: string;
}

export interface BuildFeaturesDoc {
  readonly features: readonly BuildFeatureDoc[];
  readonly builds?: readonly DistributionBuildDoc[];
}

export interface DistributionBuildDoc extends Readonly<Record<Arch, readonly string[]>> {
  readonly name: DistributionName;
  readonly release: string;
  readonly suite: string;
}

/** The distributions whose builds compat/build-features.yaml records. */
export const DISTRIBUTIONS = ['debian'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

export interface BuildFeatureDoc {
  readonly name: string;
  readonly arch: Arch;
  readonly default: 'on' | 'auto';
  readonly when?: string;
  readonly about: string;
}

export interface ArraysDoc {
  readonly source: string;
  readonly arrays: Readonly<Record<string, ArrayDoc>>;
}

export interface ArrayDoc extends WindowDoc {
  readonly machineVersion?: string;
  readonly entries: readonly EntryDoc[];
}

export interface EntryDoc {
  readonly driver: string;
  readonly property: string;
  readonly value: string;
  readonly optional?: true;
  readonly since?: string;
  readonly until?: string;
}

export type RequirementDoc = string | { readonly feature: string; readonly since?: string; readonly until?: string };

export interface MachinesDoc {
  readonly arch: Arch;
  readonly series: readonly SeriesDoc[];
  readonly machines: readonly MachineDoc[];
}

/** A series' MachineClass desc in the releases of its window; {version} stands for the version. */
export interface DescDoc extends WindowDoc {
  readonly text: string;
}

export interface SeriesDoc {
  readonly id: string;
  readonly source: string;
  readonly family?: string;
  /** One text for every release, or the text each release window words it with. */
  readonly desc: string | readonly DescDoc[];
  readonly requires: readonly RequirementDoc[];
  readonly latest: { readonly alias: string; readonly isDefault: boolean };
  readonly base?: readonly string[];
  readonly versions: readonly VersionDoc[];
}

export interface VersionDoc extends WindowDoc {
  readonly version: string;
  readonly name?: string;
  readonly requires?: readonly RequirementDoc[];
  readonly compat?: readonly string[];
  readonly deprecated?: readonly ({ readonly reason: string } & WindowDoc)[];
}

export interface MachineDoc extends WindowDoc {
  readonly name: string;
  readonly alias?: string;
  readonly family?: string;
  readonly desc: string;
  readonly requires?: readonly RequirementDoc[];
  readonly compat?: readonly string[];
  readonly basedOn?: { readonly series: string; readonly version: string };
}

/** Everything under compat/, each document with the file it came from (for error messages). */
export interface CompatDocuments {
  readonly releases: ReleasesDoc;
  readonly buildFeatures: BuildFeaturesDoc;
  readonly arrays: readonly { readonly file: string; readonly doc: ArraysDoc }[];
  readonly machines: readonly { readonly file: string; readonly doc: MachinesDoc }[];
}
