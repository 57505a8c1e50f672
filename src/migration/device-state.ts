/**
 * The device-state part of the migration stream (migration/savevm.c): the sections a machine
 * registers, in QEMU's order (descending priority, registration order within one), saved on
 * the source and found by name on the destination, where each is version-checked and loaded.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { compareReleases, release, type Release } from '../core/release.js';
import { qdevDevPath } from '../machine/bus-address.js';
import type { Machine } from '../machine/machine.js';
import { migrationErrors } from './errors.js';
import { loaderHandsUpErrors, raisedAt, siteOf, siteReport } from './vmstate-failure.js';
import { VMSTATE, VmReader, sectionBytes, type LoadContext, type MigrationPriority, type VmSection } from './vmstate.js';

/**
 * Whether a source of release `r` saves the early_setup sections before RAM's setup section.
 * Up to 10.2 savevm's one setup loop meets RAM first (registered at start-up, both at default
 * priority); from 11.0 the source sends virtio-mem-device-early first: a 10.0 or 11.1 destination
 * without the device names that section where a 10.0 source gets "Unknown ramblock". Seen on
 * Debian's 11.1.3 and Ubuntu's 11.0.3 (a larger memdev on an 11.1 destination fails the early
 * sanity check, not RAM's size check).
 */
export const savesEarlySetupFirst = (r: Release): boolean => compareReleases(r, release('11.0')) >= 0;

/** One registered section of one machine (a SaveStateEntry). */
export interface Section {
  /** QEMU's idstr: the owner's qdev dev path (e.g. 0000:00:01.0), then the description's name. */
  readonly idstr: string;
  readonly name: string;
  readonly version: number;
  readonly minVersion: number;
  readonly priority: MigrationPriority;
  readonly earlySetup: boolean;
  save(): VmSection;
  check(incoming: VmReader, ctx: LoadContext): void;
  apply(incoming: VmReader, ctx: LoadContext): readonly Warning[];
}

/** A section as it travels. Instance ids are 0: each device's dev path makes its idstrs unique. */
export interface SavedSection {
  readonly idstr: string;
  readonly version: number;
  readonly content: VmSection;
}

/** Sections from devices' VMSTATE implementations, after any the caller registers first, sorted as savevm keeps them. */
export function registeredSections(machine: Machine, first: readonly Section[] = []): Section[] {
  const model = machine.model;
  const sections: Section[] = [...first];
  for (const obj of model.objectsOfType('device')) {
    if (!obj.realized) continue;
    // vmstate_register_with_alias_id: vmstate_if_get_id (qdev_get_dev_path), "/", vmsd->name.
    const devPath = qdevDevPath(obj);
    for (const d of model.view.implementation(obj.type, VMSTATE) ?? []) {
      if (!d.registered(obj)) continue;
      sections.push({
        idstr: devPath === undefined ? d.name : `${devPath}/${d.name}`,
        name: d.name,
        version: d.version,
        minVersion: d.minVersion,
        priority: d.priority,
        earlySetup: d.earlySetup,
        save: () => d.save(obj),
        check: (incoming, ctx) => d.check(obj, incoming, ctx),
        apply: (incoming, ctx) => d.apply(obj, incoming, ctx),
      });
    }
  }
  // Array.prototype.sort is stable: registration order survives within a priority.
  return sections.sort((a, b) => b.priority - a.priority);
}

export function saveSections(sections: readonly Section[]): SavedSection[] {
  return sections.map((s) => ({ idstr: s.idstr, version: s.version, content: s.save() }));
}

/**
 * Bytes one section takes: QEMU_VM_SECTION_FULL, section id, idstr length and idstr, instance
 * and version ids, the contents, then the footer (QEMU_VM_SECTION_FOOTER and the section id).
 */
export function sectionWireBytes(s: SavedSection): number {
  return 1 + 4 + 1 + s.idstr.length + 4 + 4 + sectionBytes(s.content) + 1 + 4;
}

/** Why a destination refused the stream: QEMU's report, line by line, with the first line's code. */
export interface LoadFailure {
  readonly code: string;
  readonly message: string;
  /** What the destination QEMU prints, in order, ending with process_incoming_migration_co's line. */
  readonly log: readonly string[];
  /** The section being loaded, if the failure is inside one. */
  readonly idstr: string | undefined;
  /** HotmemError details of the first line (the values QEMU compared). */
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Errors whose handlers return -1 instead of -errno (virtio_load; the postcopy advise and listen
 * commands), which process_incoming_migration_co prints as strerror(1).
 */
const EPERM_CODES: ReadonlySet<string> = new Set([
  'migration.virtio-features',
  'migration.postcopy-no-userfaultfd',
  'migration.postcopy-hugepages',
  'migration.postcopy-register',
]);

/**
 * Builds QEMU's report for an error raised while loading `idstr` (or outside any section):
 * the error, what its caller adds (`then`), the levels the failure passed on its way out as
 * `release` tells them (vmstate-failure.ts), and the final line of the incoming coroutine.
 */
export function loadFailure(e: HotmemError, idstr: string | undefined, insideSection: boolean, then: readonly string[] = [], release?: Release): LoadFailure {
  const errno = EPERM_CODES.has(e.code) ? 'Operation not permitted' : 'Invalid argument';
  const log = [e.message, ...then];
  const where = insideSection && idstr !== undefined ? `error while loading state for instance 0x0 of device '${idstr}'` : undefined;
  const site = siteOf(e);
  const report = site !== undefined && release !== undefined && where !== undefined ? siteReport(site, release) : undefined;
  log.push(...(report?.lines ?? []));
  if (where !== undefined && report?.cause !== undefined) {
    log.push(`load of migration failed: ${errno}: ${where}: ${report.cause}`);
  } else {
    if (where !== undefined) log.push(where);
    log.push(`load of migration failed: ${errno}`);
  }
  return { code: e.code, message: e.message, log, idstr, details: e.details };
}

/**
 * A section the destination does not have. Up to 10.1 the header's loader prints it and the
 * coroutine's final line gives only the errno; from 10.2 it is an Error that final line carries.
 */
function unknownSection(idstr: string, release: Release): LoadFailure {
  const handedUp = loaderHandsUpErrors(release);
  const e = migrationErrors.error('migration.unknown-section', { idstr, instance: 0, handedUp });
  if (!handedUp) return loadFailure(e, idstr, false);
  return { code: e.code, message: e.message, log: [`load of migration failed: Invalid argument: ${e.message}`], idstr, details: e.details };
}

/**
 * A refusal of the RAM block list: ram_load returns -EINVAL from the "ram" section's load_state
 * handler (registered at version 4, migration/ram.c).
 */
export function ramLoadFailure(e: HotmemError, release: Release): LoadFailure {
  return loadFailure(raisedAt(e, { kind: 'handler', version: RAM_SECTION_VERSION, ret: -22 }), 'ram', true, [], release);
}

const RAM_SECTION_VERSION = 4;

/**
 * Loads (or with `apply: false`, only checks) saved sections into a destination's sections.
 * Returns the destination's warnings, or the failure that stops the load; sections before the
 * failing one stay loaded, as in QEMU.
 */
export function loadSections(
  saved: readonly SavedSection[],
  destination: readonly Section[],
  ctx: LoadContext,
  apply: boolean,
): { readonly kind: 'loaded'; readonly warnings: readonly Warning[] } | { readonly kind: 'failed'; readonly failure: LoadFailure } {
  const warnings: Warning[] = [];
  for (const s of saved) {
    const local = destination.find((d) => d.idstr === s.idstr);
    if (!local) return { kind: 'failed', failure: unknownSection(s.idstr, ctx.release) };
    if (s.version > local.version) {
      const e = migrationErrors.error('migration.unsupported-version', { idstr: s.idstr, version: s.version, local: local.version });
      return { kind: 'failed', failure: loadFailure(e, s.idstr, false) };
    }
    try {
      if (s.version < local.minVersion)
        throw migrationErrors.error('migration.version-too-old', { name: local.name, version: s.version, min: local.minVersion });
      const reader = new VmReader(s.content);
      local.check(reader, ctx);
      const unread = reader.unread();
      if (unread.length > 0) throw migrationErrors.error('migration.fields-unread', { section: local.name, fields: unread });
      if (apply) warnings.push(...local.apply(reader, ctx));
    } catch (e) {
      if (e instanceof HotmemError) return { kind: 'failed', failure: loadFailure(e, s.idstr, true, [], ctx.release) };
      throw e;
    }
  }
  return { kind: 'loaded', warnings };
}
