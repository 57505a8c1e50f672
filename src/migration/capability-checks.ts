/**
 * migrate_caps_check (QEMU 7.2, migration/migration.c): which capability sets a machine accepts.
 * The rules and texts are 7.2's, applied to every release but where a rule names the release that
 * added it; a check needing something hotmem does not model (TLS, multifd compression methods)
 * takes that thing as off, its default.
 */
import { compareReleases } from '../core/release.js';
import type { Machine } from '../machine/machine.js';
import { postcopyHostProblem } from './postcopy-support.js';
import { migratableBlocks } from './ram-blocks.js';

/**
 * Returns QEMU's error for `next` (the capabilities that would be on), or undefined. `before` is
 * what is on now: the postcopy host probe runs only when postcopy-ram is being switched on.
 */
export function capabilityProblem(machine: Machine, before: ReadonlySet<string>, next: ReadonlySet<string>): string | undefined {
  const on = (c: string) => next.has(c);
  if (on('postcopy-ram')) {
    if (!before.has('postcopy-ram') && machine.runState === 'inmigrate' && postcopyHostProblem(machine, migratableBlocks(machine)))
      return 'Postcopy is not supported';
    if (on('x-ignore-shared')) return 'Postcopy is not compatible with ignore-shared';
  }
  // QEMU asks the kernel for userfaultfd write protection here; the host model has no
  // write-protect mode, so hotmem says what it cannot do rather than guess the kernel's answer.
  if (on('background-snapshot')) return 'hotmem does not model background snapshots (the background-snapshot capability)';
  // The model runs a migration to its end once both sides meet: it cannot stop before the switchover.
  if (on('pause-before-switchover')) return 'hotmem does not model pausing before the switchover (the pause-before-switchover capability)';
  if (on('zero-copy-send') && (!on('multifd') || on('compress') || on('xbzrle')))
    return 'Zero copy only available for non-compressed non-TLS multifd migration';
  if (on('postcopy-preempt')) {
    if (!on('postcopy-ram')) return 'Postcopy preempt requires postcopy-ram';
    if (on('compress')) return 'Postcopy preempt not compatible with compress';
  }
  // 6f39c90b86 (7.2); 5.2 takes both.
  if (on('multifd') && on('compress') && compareReleases(machine.release, { major: 7, minor: 2 }) >= 0) return 'Multifd is not compatible with compress';
  return undefined;
}
