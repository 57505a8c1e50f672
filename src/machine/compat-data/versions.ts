/** Machine type versions: major.minor, or major.minor.micro for pc-q35-4.0.1. */
import { compareReleases, release as parseRelease, type Release } from '../../core/release.js';

/** major.minor of a machine version; the micro of pc-q35-4.0.1 plays no part in its age. */
export function machineRelease(version: string): Release {
  const [major = '', minor = ''] = version.split('.');
  return parseRelease(`${major}.${minor}`);
}

/**
 * Newest first, the order of a series' options chain: 4.1, 4.0.1, 4.0 (pc_q35_4_0 runs
 * pc_q35_4_0_1's options, so 4.0.1 is the newer of the two).
 */
export function newestFirst(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? -1) - (pa[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** Release order of two release names (5.1 < 5.2 < 10.0). */
export const releaseOrder = (a: string, b: string): number => compareReleases(parseRelease(a), parseRelease(b));
