/**
 * -overcommit mem-lock and, before 7.2, -realtime mlock: the state os_mlock acts on. How a later
 * option combines with what earlier ones set changed twice (real binaries, and 9.1's "vl: Allow
 * multiple -overcommit commands"):
 *   5.x       any option that locks wins: a later mem-lock=off does not unlock (real 5.2.0);
 *   6.0-9.0   each -overcommit sets mem-lock, off when it does not name it (real 7.2.22);
 *   9.1+      an -overcommit that does not name mem-lock leaves it (real 10.0.13, 11.1.3).
 * Within one option the last mem-lock= counts, as qemu_opt_get reads it.
 */
import { HotmemError, type Warning } from '../../core/errors.js';
import { parseScalar } from '../../core/parse/input-visitor.js';
import { optionValue, type ParsedOptions } from '../../core/parse/options.js';
import { compareReleases, type Release } from '../../core/release.js';
import type { MemLock } from '../../machine/machine.js';

const atLeast = (r: Release, major: number, minor: number): boolean => compareReleases(r, { major, minor }) >= 0;

/** 10.0 made mem-lock a string of three values, compared as written. */
const MEM_LOCK_VALUES: readonly MemLock[] = ['on', 'off', 'on-fault'];

function memLockValue(text: string, key: string, r: Release): MemLock {
  if (!atLeast(r, 10, 0)) return parseScalar({ kind: 'bool' }, key, text, 'opts', r).value === true ? 'on' : 'off';
  if (!(MEM_LOCK_VALUES as readonly string[]).includes(text)) {
    throw new HotmemError('cmdline.overcommit', "parameter 'mem-lock' expects one of 'on', 'off', 'on-fault'");
  }
  return text as MemLock;
}

/** The mem-lock state after one -overcommit (its QemuOpts already checked). */
export function overcommitMemLock(opts: ParsedOptions, before: MemLock, r: Release): MemLock {
  const text = optionValue(opts, 'mem-lock');
  if (!atLeast(r, 6, 0)) return text !== undefined && memLockValue(text, 'mem-lock', r) === 'on' ? 'on' : before;
  if (text === undefined) return atLeast(r, 9, 1) ? before : 'off';
  return memLockValue(text, 'mem-lock', r);
}

/** -realtime (5.1-7.1) warns before it parses; its mlock defaults to on. */
export const REALTIME_DEPRECATED: Warning = {
  code: 'cmdline.realtime-deprecated',
  message: "'-realtime mlock=...' is deprecated, please use '-overcommit mem-lock=...' instead",
};

/** The mem-lock state after one -realtime: it can only turn locking on (real 5.2.0). */
export function realtimeMemLock(opts: ParsedOptions, before: MemLock, r: Release): MemLock {
  const text = optionValue(opts, 'mlock');
  return text === undefined || parseScalar({ kind: 'bool' }, 'mlock', text, 'opts', r).value === true ? 'on' : before;
}
