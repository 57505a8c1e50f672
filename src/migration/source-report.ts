/**
 * What a source QEMU prints when the destination went away before the source finished: RAM's
 * next save_live_iterate finds the socket closed (-EIO) and qemu_savevm_state_iterate reports it.
 * Observed on Debian's 5.2, 7.2, 10.0.13 and 11.1.3.
 */
import { compareReleases, type Release } from '../core/release.js';
import { migrationErrors } from './errors.js';

const EIO = 5;

/**
 * RAM's SaveStateEntry id: block migration registered its section before RAM until eef0bae3a7
 * removed it (9.1). The return code joined the message in 9200265838 (7.0).
 */
export function ramSaveFailure(release: Release): string {
  const sectionId = compareReleases(release, { major: 9, minor: 1 }) >= 0 ? 1 : 2;
  const ret = compareReleases(release, { major: 7, minor: 0 }) >= 0 ? -EIO : undefined;
  return migrationErrors.error('migration.save-failed', { sectionId, idstr: 'ram', ret }).message;
}
