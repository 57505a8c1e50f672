/**
 * Where inside a section's load an error arose, and how each release's loader tells it.
 *
 * Up to 10.1 vmstate_load_state prints `Failed to load VMSD:FIELD` at every level the failure
 * passes on its way out, innermost first. From 10.2 (698104725e) the loader hands an Error up
 * instead: each level that takes an Error** passes it on, and the incoming coroutine's final line
 * carries it (`load of migration failed: ERRNO: error while loading state ...: CAUSE`). A field
 * whose loader has no Error** (VMSTATE_VIRTIO_DEVICE's virtio_load) ends the chain: an Error from
 * below it is printed on its own line, and the level above says only `Failed to load element of
 * type INFO for FIELD`. Observed on Debian's 5.2, 7.2, 10.0.13 and 11.1.3 (block-size and RAM
 * size mismatches, 11.1's ring check; test/conformance/cross-release-migration.test.ts).
 */
import { HotmemError } from '../core/errors.js';
import { compareReleases, type Release } from '../core/release.js';

/** One VMStateField the failure passed through. */
export interface VmstateFrame {
  readonly vmsd: string;
  readonly field: string;
  /** The field's VMStateInfo name (`virtio`, `tmp`). */
  readonly info: string;
  /** Whether the field's loader passes an Error** down (10.2+); virtio_load does not. */
  readonly passesError: boolean;
}

/** What failed at the bottom. */
export type VmstateOrigin =
  /** A check that error_report()s and returns an error code (virtio_load's checks): no Error to hand up. */
  | { readonly kind: 'reported' }
  /** A description's post_load hook returned `ret`. */
  | { readonly kind: 'post-load'; readonly vmsd: string; readonly version: number; readonly minimumVersion: number; readonly ret: number }
  /** A section with a load_state handler instead of a description (RAM) returned `ret`. */
  | { readonly kind: 'handler'; readonly version: number; readonly ret: number };

export interface VmstateSite {
  readonly origin: VmstateOrigin;
  /** Innermost first. */
  readonly frames: readonly VmstateFrame[];
}

const SITE = 'vmstateSite';

export function siteOf(e: HotmemError): VmstateSite | undefined {
  return e.details[SITE] as VmstateSite | undefined;
}

/** `e` as raised at the bottom of a load, at `origin`. */
export function raisedAt(e: HotmemError, origin: VmstateOrigin): HotmemError {
  return new HotmemError(e.code, e.message, { ...e.details, [SITE]: { origin, frames: [] } satisfies VmstateSite });
}

/** Runs `load`, marking an error that leaves it as having passed through `frame`. */
export function withinField<T>(frame: VmstateFrame, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (!(e instanceof HotmemError)) throw e;
    const site = siteOf(e);
    if (site === undefined) throw e;
    throw new HotmemError(e.code, e.message, { ...e.details, [SITE]: { origin: site.origin, frames: [...site.frames, frame] } satisfies VmstateSite });
  }
}

const CHAINED_FROM: Release = { major: 10, minor: 2 };

/**
 * Whether VMSTATE_WITH_TMP's loader (get_tmp) hands its Error up (11.1+). Up to 11.0 it
 * error_report()s it and returns the code, so the cause prints on a line of its own and the final
 * line names the tmp field (Ubuntu's real 11.0.3 and its source).
 */
export const tmpPassesError = (r: Release): boolean => compareReleases(r, { major: 11, minor: 1 }) >= 0;

/** Whether the release's loader hands errors up to the incoming coroutine's final line (10.2+). */
export const loaderHandsUpErrors = (r: Release): boolean => compareReleases(r, CHAINED_FROM) >= 0;

function originCause(origin: VmstateOrigin): string | undefined {
  switch (origin.kind) {
    case 'reported':
      return undefined;
    case 'post-load':
      return `post load hook failed for: ${origin.vmsd}, version_id: ${origin.version}, minimum_version: ${origin.minimumVersion}, ret: ${origin.ret}`;
    case 'handler':
      return `Failed to load vmstate version_id: ${origin.version}, ret: ${origin.ret}`;
    default: {
      const exhaustive: never = origin;
      return exhaustive;
    }
  }
}

/**
 * The lines between the error's own message and the coroutine's final line, and the cause the
 * final line carries (10.2+ only).
 */
export function siteReport(site: VmstateSite, release: Release): { readonly lines: readonly string[]; readonly cause: string | undefined } {
  if (!loaderHandsUpErrors(release)) {
    return { lines: site.frames.map((f) => `Failed to load ${f.vmsd}:${f.field}`), cause: undefined };
  }
  const lines: string[] = [];
  let cause = originCause(site.origin);
  // Up to 11.0 vmstate_load_state's message for a failed field ends in the code it returned
  // (10.2's and 11.0.3's source; Ubuntu's real 11.0.3 prints "...for tmp: -22"); 11.1's does not.
  // Only a post_load hook's code is known here.
  const ret = !tmpPassesError(release) && site.origin.kind === 'post-load' ? `: ${site.origin.ret}` : '';
  for (const frame of site.frames) {
    if (frame.passesError) continue;
    if (cause !== undefined) lines.push(cause);
    cause = `Failed to load element of type ${frame.info} for ${frame.field}${ret}`;
  }
  return { lines, cause };
}
