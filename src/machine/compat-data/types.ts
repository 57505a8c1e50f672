/**
 * What the compat data answers: the machine types a QEMU release registers for a target, and
 * the compat properties each applies. Values stay strings, as QEMU keeps them until the property
 * parser (the string-input visitor) reads them for the device that has the property.
 */
import type { Arch } from '../../core/arch.js';

/**
 * A modelled QEMU release and where its data was read: the upstream release commit, or, for a
 * release whose commit was not at hand, its tag and the basis its facts come from.
 */
export type QemuRelease = { readonly version: string; readonly commit: string } | { readonly version: string; readonly tag: string; readonly basis: string };

/**
 * A build switch of a QEMU binary that decides whether machine types are compiled in (a Kconfig
 * symbol without CONFIG_). `default` is what a plain ./configure on a Linux host gives: `on`, or
 * `auto` when it also needs `when` (e.g. the Xen libraries).
 */
export interface BuildFeature {
  readonly name: string;
  readonly arch: Arch;
  readonly default: 'on' | 'auto';
  readonly when: string | null;
  readonly about: string;
}

/** The build switches a qemu-system binary was configured with. */
export interface BuildConfig {
  readonly features: ReadonlySet<string>;
}

export const buildConfig = (...features: readonly string[]): BuildConfig => ({ features: new Set(features) });

/**
 * The process environment QEMU consults while registering machine types: from 9.1 to 10.0,
 * expired versioned machines are dropped only when QEMU_DELETE_MACHINES is set (to anything).
 */
export type QemuEnvironment = Readonly<Record<string, string | undefined>>;

/** One line of `-machine help`, with what it takes to exist and what it applies. */
export interface MachineType {
  readonly name: string;
  readonly desc: string;
  readonly alias: string | null;
  readonly isDefault: boolean;
  readonly deprecated: boolean;
  readonly deprecationReason: string | null;
  /** MachineClass.family, which groups `-machine help`: pc_piix, pc_q35, microvm_i386, or none. */
  readonly family: string | null;
  /** The versioned series (pc-i440fx, pc-q35, s390-ccw-virtio) and version, for series machines. */
  readonly series: { readonly id: string; readonly version: string } | null;
  /** Build features the binary needs for this machine type to exist. */
  readonly requires: readonly string[];
  /** The compat arrays the machine class applies, in QEMU's order (later entries win). */
  readonly compatArrays: readonly string[];
}

/** A GlobalProperty of a machine's compat_props. */
export interface CompatEntry {
  /** A QOM type name; the entry applies to that type and its subtypes (object_dynamic_cast). */
  readonly driver: string;
  readonly property: string;
  readonly value: string;
  /** Skipped, not an error, when the driver has no such property. */
  readonly optional: boolean;
  /** The array holding it: hw_compat_6_2, pc_compat_8_0, pc_q35_compat_defaults, <function>.compat. */
  readonly array: string;
  /** The QEMU source file holding the array. */
  readonly source: string;
  /** The machine version whose older behaviour the array restores; null for base defaults. */
  readonly release: string | null;
  /** The first modelled release whose array has this entry (5.1 means "5.1 or earlier"). */
  readonly addedIn: string;
}

/** A compat array as one release's source has it. */
export interface CompatArray {
  readonly name: string;
  readonly source: string;
  readonly release: string | null;
  readonly entries: readonly CompatEntry[];
}
