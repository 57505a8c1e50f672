/**
 * What the machine layer needs to know about machine types of a release: which exist, which is
 * the default, which are deprecated and with which compat properties. The compat data in
 * compat/ answers these questions; the Machine only asks them.
 */
import type { Arch } from '../core/arch.js';
import type { Release } from '../core/release.js';
import type { GlobalProperty } from '../qom/globals.js';
import type { VersionNumber } from './family.js';

export interface MachineTypeEntry {
  readonly name: string;
  /** The alias this machine type carries (`pc`, `q35`, `s390-ccw-virtio`), if any. */
  readonly alias?: string;
  readonly isDefault?: boolean;
  /** The family (pc-i440fx, pc-q35, s390-ccw-virtio) or another machine hotmem does not model. */
  readonly family: string;
  readonly version: VersionNumber | undefined;
  readonly description: string;
  readonly deprecationReason: string | undefined;
}

export interface MachineCatalog {
  /** The machine type a name or alias (`pc`, `q35`, `s390-ccw-virtio`) denotes in this release. */
  resolve(release: Release, arch: Arch, nameOrAlias: string): MachineTypeEntry | undefined;
  defaultMachine(release: Release, arch: Arch): MachineTypeEntry;
  /** Every machine type the release's binary registers for the target. */
  list(release: Release, arch: Arch): readonly MachineTypeEntry[];
  /** compat_props in QEMU's application order (later entries win). */
  compatProperties(release: Release, arch: Arch, machine: string): readonly GlobalProperty[];
}
