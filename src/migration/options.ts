/**
 * What a migration is asked to do: the link, QEMU's migration parameters and capabilities that
 * the model follows, the guest's activity, and when the management gives up.
 */
import { MiB } from '../core/units.js';
import { migrationErrors } from './errors.js';
import type { GuestWorkload } from './workload.js';

export interface MigrateOptions {
  /** The network between the two hosts: bytes per second. */
  readonly bandwidth: number;
  /** The max-bandwidth parameter (bytes/s): MAX_THROTTLE, 128 MiB/s, by default (migration/migration.c). */
  readonly maxBandwidth?: number;
  /** The downtime-limit parameter in ms: DEFAULT_MIGRATE_SET_DOWNTIME, 300. */
  readonly downtimeLimitMs?: number;
  /** The postcopy-ram capability, and when the management issues migrate-start-postcopy (ns after setup). */
  readonly postcopy?: { readonly startAfter: number };
  /** The return-path capability (postcopy opens the return path regardless). */
  readonly returnPath?: boolean;
  readonly workload?: GuestWorkload;
  /**
   * QEMU never gives up on a precopy that does not converge; the management does. hotmem cancels
   * after this many dirty-bitmap syncs (default 30) and reports "did not converge".
   */
  readonly maxDirtySyncs?: number;
}

export interface ResolvedOptions {
  readonly bandwidth: number;
  /** What precopy iterations may use: min(link, max-bandwidth). */
  readonly rateLimit: number;
  readonly downtimeLimitNs: number;
  readonly postcopy: { readonly startAfter: number } | undefined;
  readonly returnPath: boolean;
  readonly workload: GuestWorkload;
  readonly maxDirtySyncs: number;
}

export const MAX_THROTTLE = 128 * MiB;
export const DEFAULT_DOWNTIME_LIMIT_MS = 300;

export function resolveOptions(o: MigrateOptions): ResolvedOptions {
  const positive = (what: string, n: number | undefined) => {
    if (n !== undefined && !(Number.isFinite(n) && n > 0))
      throw migrationErrors.error('migration.bad-options', { what: `${what} must be positive (got ${n})` });
  };
  positive('bandwidth', o.bandwidth);
  positive('maxBandwidth', o.maxBandwidth);
  positive('downtimeLimitMs', o.downtimeLimitMs);
  positive('maxDirtySyncs', o.maxDirtySyncs);
  if (o.postcopy && !(o.postcopy.startAfter >= 0)) throw migrationErrors.error('migration.bad-options', { what: 'postcopy.startAfter must be >= 0' });
  return {
    bandwidth: o.bandwidth,
    rateLimit: Math.min(o.bandwidth, o.maxBandwidth ?? MAX_THROTTLE),
    downtimeLimitNs: (o.downtimeLimitMs ?? DEFAULT_DOWNTIME_LIMIT_MS) * 1e6,
    postcopy: o.postcopy,
    returnPath: o.returnPath ?? false,
    workload: o.workload ?? {},
    maxDirtySyncs: o.maxDirtySyncs ?? 30,
  };
}
