/**
 * A machine's migration capabilities and parameters (MigrationState's enabled_capabilities and
 * parameters): what migrate-set-capabilities and migrate-set-parameters change, what the engine
 * and the monitor consult. Parameters not set keep the release's defaults (see qapi-data.ts).
 */
import { key } from '../core/keys.js';
import type { Machine } from '../machine/machine.js';

export interface MigrationSettings {
  /** Capabilities switched on; every other one is off. */
  readonly enabled: Set<string>;
  /** Parameters given a value by migrate-set-parameters, by QAPI name. */
  readonly parameters: Map<string, unknown>;
}

const MIGRATION_SETTINGS = key<MigrationSettings>('migration settings');

export function migrationSettings(machine: Machine): MigrationSettings {
  let settings = machine.model.services.get(MIGRATION_SETTINGS);
  if (!settings) {
    settings = { enabled: new Set(), parameters: new Map() };
    machine.model.services.set(MIGRATION_SETTINGS, settings);
  }
  return settings;
}

/** migrate_use_events(): MIGRATION and MIGRATION_PASS are sent only with the events capability. */
export function migrationEventsEnabled(machine: Machine): boolean {
  return machine.model.services.get(MIGRATION_SETTINGS)?.enabled.has('events') ?? false;
}
