/**
 * Migration: precopy and postcopy between two machines on two simulated hosts, the device-state
 * stream with QEMU's compat checks, and what both hosts spend.
 *
 * ```ts
 * const outcome = migrate(source, destination, { bandwidth: 1.25e9, postcopy: { startAfter: 0 } });
 * if (outcome.kind === 'hung') console.log(outcome.page, outcome.cause, outcome.era);
 * checkMigration(source, destination); // the destination's checks, without sending anything
 * ```
 */
export { migrate } from './engine.js';
export { checkMigration, type MigrationPrediction } from './check.js';
export { queryMigrate, migrationBusy, MIGRATION_INFO, type MigrationInfo, type MigrationStatus } from './info.js';
export { MAX_THROTTLE, DEFAULT_DOWNTIME_LIMIT_MS, type MigrateOptions } from './options.js';
export type { FailureReason, HangCause, HostSample, HungPage, MigrationOutcome, SideReport, TransferStats } from './outcome.js';
export type { ActionRecord, DirtyWorkload, GuestRegion, GuestWorkload, Side, TimedAction, WorkloadAction } from './workload.js';
export {
  MIG_PRI,
  VMSTATE,
  VmReader,
  sectionBytes,
  vmBitmap,
  vmBool,
  vmOpaque,
  vmSection,
  vmStruct,
  vmU32,
  vmU64,
  vmU8,
  type LoadContext,
  type MigrationPriority,
  type VmField,
  type VmSection,
  type VmStateDescription,
} from './vmstate.js';
export { applyVirtioDevice, checkVirtioDevice, saveVirtioDevice, VIRTIO_FIELD, type VirtioCoreAccess } from './virtio-device.js';
export { RAM_DISCARD_MANAGER, type BlockRange, type RamDiscardManager } from './ram-discard-manager.js';
export { FREE_PAGE_HINTING, type FreePageHint, type FreePageHinting } from './free-page-hints.js';
export { migrationErrors, type MigrationErrorCode } from './errors.js';
