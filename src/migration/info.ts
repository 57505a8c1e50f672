/**
 * The migration state a machine keeps (MigrationState / MigrationIncomingState) and what
 * query-migrate returns from it (qapi/migration.json MigrationInfo, migration.c
 * fill_source_migration_info / populate_ram_info). Times in query-migrate are milliseconds.
 */
import { key } from '../core/keys.js';
import { compareReleases, type Release } from '../core/release.js';
import type { Machine } from '../machine/machine.js';
import { migrationStatsKeys } from './qapi-data.js';
import { migrationEventsEnabled } from './settings.js';

export type MigrationStatus =
  'none' | 'setup' | 'active' | 'postcopy-active' | 'postcopy-paused' | 'device' | 'completed' | 'failing' | 'failed' | 'cancelling' | 'cancelled';

/** The running record the engine updates; one per machine and migration. */
export interface MigrationInfo {
  role: 'source' | 'destination';
  status: MigrationStatus;
  startedAt: number;
  setupNs: number;
  downtimeNs: number;
  totalNs: number;
  expectedDowntimeNs: number;
  transferred: number;
  remaining: number;
  total: number;
  duplicate: number;
  normal: number;
  dirtySyncCount: number;
  postcopyRequests: number;
  precopyBytes: number;
  downtimeBytes: number;
  postcopyBytes: number;
  /** error-desc: why a failed migration failed, as the source's monitor reports it. */
  errorDesc: string | undefined;
}

export const MIGRATION_INFO = key<MigrationInfo>('migration info');

export function newMigrationInfo(role: 'source' | 'destination', startedAt: number): MigrationInfo {
  return {
    role,
    status: 'none',
    startedAt,
    setupNs: 0,
    downtimeNs: 0,
    totalNs: 0,
    expectedDowntimeNs: 0,
    transferred: 0,
    remaining: 0,
    total: 0,
    duplicate: 0,
    normal: 0,
    dirtySyncCount: 0,
    postcopyRequests: 0,
    precopyBytes: 0,
    downtimeBytes: 0,
    postcopyBytes: 0,
    errorDesc: undefined,
  };
}

/** From 8.2 (4111a732e8) the incoming side is in SETUP from the moment it listens, once its URI parsed. */
export const incomingSetupWhileListening = (r: Release): boolean => compareReleases(r, { major: 8, minor: 2 }) >= 0;

/** migrate_set_state: the new status, and MIGRATION when the machine has the events capability. */
export function setMigrationStatus(machine: Machine, info: MigrationInfo, status: MigrationStatus): void {
  info.status = status;
  if (migrationEventsEnabled(machine)) machine.events.emit('MIGRATION', { status });
}

const PAGE_SIZE = 4096;
const ms = (ns: number) => Math.round(ns / 1e6);

/** What `query-migrate` answers on this machine. */
export function queryMigrate(machine: Machine): Record<string, unknown> {
  const info = machine.model.services.get(MIGRATION_INFO);
  if (!info) return {};
  if (info.role === 'destination') return { status: info.status };
  // fill_source_migration_info: no migration ever ran, nothing to report.
  if (info.status === 'none') return {};
  const out: Record<string, unknown> = { status: info.status };
  // fill_source_migration_info: a failed or cancelled migration reports only its status and error.
  if (info.status === 'failed') return info.errorDesc === undefined ? out : { ...out, 'error-desc': info.errorDesc };
  if (info.status === 'setup' || info.status === 'cancelled') return out;
  out['setup-time'] = ms(info.setupNs);
  out['total-time'] = ms(info.totalNs);
  if (info.status === 'completed') out.downtime = ms(info.downtimeNs);
  if (info.status === 'active') out['expected-downtime'] = ms(info.expectedDowntimeNs);
  const completed = info.status === 'completed';
  // migration_calculate_complete: the rate over the transfer time, in whole milliseconds.
  const transferMs = ms(info.totalNs) - ms(info.setupNs);
  const seconds = completed ? transferMs / 1000 : info.totalNs / 1e9;
  // What the model counts; multifd, zero-copy, XBZRLE and the per-window rates are not modelled and stay 0.
  const values: Readonly<Record<string, number>> = {
    transferred: info.transferred,
    remaining: completed ? 0 : info.remaining,
    total: info.total,
    duplicate: info.duplicate,
    skipped: 0,
    normal: info.normal,
    'normal-bytes': info.normal * PAGE_SIZE,
    'dirty-pages-rate': 0,
    mbps: seconds > 0 ? (info.transferred * 8) / seconds / 1e6 : 0,
    'dirty-sync-count': info.dirtySyncCount,
    'postcopy-requests': info.postcopyRequests,
    'page-size': PAGE_SIZE,
    'multifd-bytes': 0,
    'pages-per-second': 0,
    'precopy-bytes': info.precopyBytes,
    'downtime-bytes': info.downtimeBytes,
    'postcopy-bytes': info.postcopyBytes,
    'dirty-sync-missed-zero-copy': 0,
  };
  const ram: Record<string, number> = {};
  for (const { name } of migrationStatsKeys(machine.release)) {
    const value = values[name];
    if (value === undefined) throw new Error(`internal: query-migrate has no value for ram.${name}`);
    ram[name] = value;
  }
  out.ram = ram;
  return out;
}

/**
 * virtio_mem_is_busy(): while a machine migrates out, or receives a postcopy migration, memory
 * devices must not change what is plugged (their requests answer BUSY).
 */
export function migrationBusy(machine: Machine): boolean {
  const info = machine.model.services.get(MIGRATION_INFO);
  if (!info) return false;
  if (info.role === 'destination') return info.status === 'postcopy-active';
  return (
    info.status === 'setup' ||
    info.status === 'active' ||
    info.status === 'postcopy-active' ||
    info.status === 'postcopy-paused' ||
    info.status === 'cancelling'
  );
}

/** migration_is_running(s->state): this machine's own outgoing migration is under way. */
export function outgoingMigrationRunning(machine: Machine): boolean {
  return machine.model.services.get(MIGRATION_INFO)?.role === 'source' && migrationBusy(machine);
}
