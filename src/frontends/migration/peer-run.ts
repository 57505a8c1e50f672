/**
 * One migration between this process's machine and a replica of its peer. The live channel and
 * the replay of a recipe's history both come here, so a replica repeats exactly what its original
 * did. Besides running the engine, it keeps what QEMU's monitor shows afterwards: the source's
 * error description.
 */
import type { Machine } from '../../machine/machine.js';
import { migrate } from '../../migration/engine.js';
import { MIGRATION_INFO } from '../../migration/info.js';
import type { MigrationOutcome } from '../../migration/outcome.js';
import type { Side } from '../../migration/workload.js';
import { migrationFrontendErrors } from './errors.js';
import type { PeerMigrationOptions } from './recipe.js';

export function runPeerMigration(local: Machine, peer: Machine, role: Side, options: PeerMigrationOptions): MigrationOutcome {
  const [source, destination] = role === 'source' ? [local, peer] : [peer, local];
  const outcome = migrate(source, destination, {
    bandwidth: options.bandwidth,
    // max-bandwidth 0 lifts QEMU's rate limit: the link alone limits the stream.
    maxBandwidth: options.maxBandwidth === 0 ? options.bandwidth : options.maxBandwidth,
    downtimeLimitMs: options.downtimeLimitMs,
    returnPath: options.returnPath,
    ...(options.postcopy ? { postcopy: { startAfter: 0 } } : {}),
  });
  const info = source.model.services.get(MIGRATION_INFO);
  // The source learns of a destination that gave up only when its next write finds the socket closed.
  if (info && outcome.kind === 'failed' && outcome.side === 'destination' && info.status === 'failed') {
    info.errorDesc = migrationFrontendErrors.error('migration.broken-pipe').message;
  }
  return outcome;
}

/** What both processes must agree on: if their models differ, one of them has a bug. */
export function outcomeDigest(outcome: MigrationOutcome): string {
  return JSON.stringify({
    kind: outcome.kind,
    bytes: outcome.stats.totalBytes,
    pages: outcome.stats.normalPages,
    source: outcome.source.statuses,
    destination: outcome.destination.statuses,
  });
}
