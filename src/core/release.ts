/**
 * QEMU releases as comparable values. Behaviour of parsers, properties and devices changes by
 * release, so every rule that changed says since (and until) which release it holds.
 */
import { HotmemError } from './errors.js';

export interface Release {
  readonly major: number;
  readonly minor: number;
}

const RELEASE_PATTERN = /^(\d+)\.(\d+)$/;

/**
 * Parsed releases by text. Every availability window is checked by parsing its bounds, millions
 * of times in a matrix run; a Release is immutable, so one parse per text serves them all.
 */
const parsed = new Map<string, Release>();

export function release(text: string): Release {
  let found = parsed.get(text);
  if (!found) {
    found = parseRelease(text);
    parsed.set(text, found);
  }
  return found;
}

function parseRelease(text: string): Release {
  const match = RELEASE_PATTERN.exec(text);
  if (!match) {
    throw new HotmemError('core.bad-release', `'${text}' is not a QEMU release (expected MAJOR.MINOR, e.g. 7.2)`, {
      text,
    });
  }
  return Object.freeze({ major: Number(match[1]), minor: Number(match[2]) });
}

export const releaseName = (r: Release): string => `${r.major}.${r.minor}`;

export function compareReleases(a: Release, b: Release): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** A half-open availability window: present from `since` up to, not including, `until`. */
export interface ReleaseWindow {
  readonly since?: string;
  readonly until?: string;
}

export function inWindow(r: Release, window: ReleaseWindow): boolean {
  if (window.since !== undefined && compareReleases(r, release(window.since)) < 0) return false;
  if (window.until !== undefined && compareReleases(r, release(window.until)) >= 0) return false;
  return true;
}

/** The first entry whose `since` is at or below the release, scanning from newest: a value that changed over time. */
export function valueAt<T>(r: Release, history: ReadonlyArray<{ readonly since: string; readonly value: T }>): T | undefined {
  let found: { since: string; value: T } | undefined;
  for (const entry of history) {
    if (compareReleases(r, release(entry.since)) >= 0 && (!found || compareReleases(release(entry.since), release(found.since)) > 0)) {
      found = entry;
    }
  }
  return found?.value;
}
