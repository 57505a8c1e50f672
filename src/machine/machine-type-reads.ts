/**
 * What a start reads of its machine type beyond the type's family: each version threshold the
 * board asks (MachineVersion.atLeast) and each stored property value (the QOM read point, which
 * is where the type's compat entries are seen). A watcher given to the machine environment hears
 * every such read of one start; a start without one pays a field test per read.
 */
import type { StoredReads } from '../qom/stored-reads.js';
import type { MachineVersion, VersionNumber } from './family.js';

export interface MachineTypeReads extends StoredReads {
  versionAtLeast(major: number, minor: number, answer: boolean): void;
}

export function machineVersion(version: VersionNumber, reads: MachineTypeReads | undefined): MachineVersion {
  const atLeast = (major: number, minor: number): boolean => version.major > major || (version.major === major && version.minor >= minor);
  if (reads === undefined) return { atLeast };
  return {
    atLeast: (major, minor) => {
      const answer = atLeast(major, minor);
      reads.versionAtLeast(major, minor, answer);
      return answer;
    },
  };
}
