/**
 * Where a property's value came from, kept per object and property as QEMU's own layers set it:
 * the class default of the release, a compat entry of the machine (which array, for which machine
 * type), a -global, the device's own property, or realize resolving `auto` from a host fact. The
 * object model records it wherever it stores a value, so "why is this on?" is answered from the
 * same path that made it on.
 */
import type { Release } from '../core/release.js';
import { releaseName } from '../core/release.js';

/** A compat entry's place in QEMU's source: hw_compat_8_0, pc_compat_7_2, ... of one machine type. */
export interface CompatSource {
  readonly array: string;
  readonly machine: string;
}

export type PropertyOrigin =
  /** Nothing set it: the class default (instance_init or defval) of the running release. */
  | { readonly kind: 'class-default' }
  /** object_apply_compat_props; `source` is absent for layers hotmem builds itself. */
  | { readonly kind: 'compat'; readonly layer: 'accelerator' | 'machine' | 'sugar'; readonly source?: CompatSource }
  | { readonly kind: 'global'; readonly driver: string; readonly value: string }
  /** -device/-object/device_add properties, qom-set, or a definition's own property. */
  | { readonly kind: 'explicit' }
  /** Realize replaced `from` (itself from `origin`) with the value the host facts give. */
  | { readonly kind: 'resolved'; readonly from: string; readonly origin: PropertyOrigin; readonly because: string };

export const CLASS_DEFAULT: PropertyOrigin = Object.freeze({ kind: 'class-default' });
export const EXPLICIT: PropertyOrigin = Object.freeze({ kind: 'explicit' });

/** A phrase naming the origin, to follow "PROPERTY=VALUE, ": `the class default of QEMU 10.0`. */
export function describeOrigin(origin: PropertyOrigin, property: string, release: Release): string {
  switch (origin.kind) {
    case 'class-default':
      return `the class default of QEMU ${releaseName(release)}`;
    case 'compat':
      return origin.source
        ? `the machine compat of ${origin.source.machine} (${origin.source.array} in QEMU ${releaseName(release)})`
        : `the ${origin.layer} compat properties of QEMU ${releaseName(release)}`;
    case 'global':
      return `set by -global ${origin.driver}.${property}=${origin.value}`;
    case 'explicit':
      return 'set explicitly on the device';
    case 'resolved':
      return `resolved from ${origin.from}, ${describeOrigin(origin.origin, property, release)}, because ${origin.because}`;
    default: {
      const exhaustive: never = origin;
      return exhaustive;
    }
  }
}
