/**
 * The automatic deprecation and deletion of versioned machine types (include/hw/boards.h,
 * MACHINE_VER_DEPRECATION and MACHINE_VER_DELETION, 9.1+). QEMU compares a machine's version with
 * its own QEMU_VERSION at build time; hotmem models release builds (micro < 50), for which every
 * release from 9.1 to 10.2 uses the same comparison.
 */
import { inWindow, type Release } from '../../core/release.js';
import type { LifecycleDoc } from './documents.js';
import type { QemuEnvironment } from './types.js';

/** _MACHINE_VER_IS_EXPIRED_IMPL: more than `years` majors back, or exactly `years` and minor reached. */
export function isExpired(current: Release, years: number, machine: Release): boolean {
  const majors = current.major - machine.major;
  return majors > years || (majors === years && current.minor >= machine.minor);
}

export type LifecycleVerdict = { readonly kind: 'current' } | { readonly kind: 'deprecated'; readonly reason: string } | { readonly kind: 'deleted' };

/** What of the environment the lifecycle reads, as a key for answers computed under it. */
export const lifecycleEnvKey = (env: QemuEnvironment): string => (env['QEMU_DELETE_MACHINES'] === undefined ? 'keep' : 'delete');

/** What the rule in force at `current` does to a versioned machine of version `machine`. */
export function lifecycleVerdict(rules: readonly LifecycleDoc[], current: Release, machine: Release, env: QemuEnvironment): LifecycleVerdict {
  const rule = rules.find((r) => inWindow(current, r));
  if (!rule) return { kind: 'current' };
  // MACHINE_VER_DELETION tests getenv() != NULL, so an empty value counts as set.
  const deletes = rule.deletion === 'always' || lifecycleEnvKey(env) === 'delete';
  if (deletes && isExpired(current, rule.deletionYears, machine)) return { kind: 'deleted' };
  if (isExpired(current, rule.deprecationYears, machine)) return { kind: 'deprecated', reason: rule.deprecationReason };
  return { kind: 'current' };
}
