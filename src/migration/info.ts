/**
 * The migration state a machine keeps (MigrationState / MigrationIncomingState) and what
 * query-migrate returns from it (qapi/migration.json MigrationInfo, migration.c
 * fill_source_migration_info / populate_ram_info). Times in query-migrate are milliseconds.
 */
import { key } from '../core/keys.js';
import type { Machine } from '../machine/machine.js';

export type MigrationStatus =
  | 'none'
  | 'setup'
  | 'active'
  | 'postcopy-active'
  | 'postcopy-paused'
  | 'completed'
  | 'failed'
  | 'cancelling'
  | 'cancelled';

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
  };
}

const PAGE_SIZE = 4096;
const ms = (ns: number) => Math.round(ns / 1e6);

/** What `query-migrate` answers on this machine. */
export function queryMigrate(machine: Machine): Record<string, unknown> {
  const info = machine.model.services.get(MIGRATION_INFO);
  if (!info) return {};
  if (info.role === 'destination') return { status: info.status };
  const out: Record<string, unknown> = { status: info.status };
  if (info.status === 'none' || info.status === 'setup') return out;
  out['setup-time'] = ms(info.setupNs);
  out['total-time'] = ms(info.totalNs);
  if (info.status === 'completed') out.downtime = ms(info.downtimeNs);
  if (info.status === 'active') out['expected-downtime'] = ms(info.expectedDowntimeNs);
  const seconds = info.totalNs / 1e9;
  out.ram = {
    transferred: info.transferred,
    remaining: info.remaining,
    total: info.total,
    duplicate: info.duplicate,
    normal: info.normal,
    'normal-bytes': info.normal * PAGE_SIZE,
    'dirty-sync-count': info.dirtySyncCount,
    'postcopy-requests': info.postcopyRequests,
    'page-size': PAGE_SIZE,
    mbps: seconds > 0 ? (info.transferred * 8) / seconds / 1e6 : 0,
    'precopy-bytes': info.precopyBytes,
    'downtime-bytes': info.downtimeBytes,
    'postcopy-bytes': info.postcopyBytes,
  };
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
  return info.status === 'setup' || info.status === 'active' || info.status === 'postcopy-active' || info.status === 'postcopy-paused' || info.status === 'cancelling';
}
