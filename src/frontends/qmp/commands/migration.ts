/**
 * Migration commands (qapi/migration.json): migrate and migrate-incoming between two hotmem
 * processes, query-migrate on either end, capabilities and parameters, postcopy and cancel.
 */
import { compareReleases, type Release } from '../../../core/release.js';
import { capabilityProblem } from '../../../migration/capability-checks.js';
import { incomingSetupWhileListening, MIGRATION_INFO, outgoingMigrationRunning, queryMigrate } from '../../../migration/info.js';
import { migrationCapabilities, migrationParameters, migrationStatuses, type MigrationParameterSpec } from '../../../migration/qapi-data.js';
import { queryMigrationParameters, setMigrationParameters } from '../../../migration/parameters.js';
import { migrationSettings } from '../../../migration/settings.js';
import type { MigrationEndpoint } from '../../migration/endpoint.js';
import { migrationFrontendErrors } from '../../migration/errors.js';
import { parsesUriFirst } from '../../migration/uri.js';
import { checkArgs, checkEnum, type ArgSpec, type ArgType } from '../args.js';
import { missingParameter, parameterType, QmpError, unexpectedParameter } from '../errors.js';
import type { QmpArgs } from '../args.js';
import type { QmpCommand, QmpContext } from '../session.js';

function endpoint(ctx: QmpContext): MigrationEndpoint {
  if (!ctx.migration) throw migrationFrontendErrors.error('migration.no-channel');
  return ctx.migration;
}

const flag = (value: unknown) => value === true;

/** How the QAPI visitor reads a MigrateSetParameters member. */
function setArgSpec(spec: MigrationParameterSpec): ArgSpec {
  const type: ArgType =
    spec.setType === 'bool'
      ? 'bool'
      : spec.setType === 'str' || spec.setType === 'enum'
        ? 'str'
        : spec.setType === 'array'
          ? 'array'
          : spec.setType === 'StrOrNull'
            ? 'any'
            : 'int';
  return { name: spec.name, type, optional: true };
}

/**
 * migrate's uri: required until 8.2, which made it optional beside `channels` and checks for
 * either in qmp_migrate itself.
 */
function uriArgument(release: Release, command: string, args: QmpArgs): string {
  const uri = args['uri'] as string | undefined;
  const since82 = parsesUriFirst(release);
  const since90 = compareReleases(release, { major: 9, minor: 0 }) >= 0;
  if (!since82 && args['channels'] !== undefined) throw unexpectedParameter('channels');
  if (since82 && args['channels'] !== undefined) {
    if (uri !== undefined) throw migrationFrontendErrors.error('migration-uri.both', { command, since90 });
    throw migrationFrontendErrors.error('migration-uri.channels-not-modelled');
  }
  if (uri !== undefined) return uri;
  if (!since82) throw missingParameter('uri');
  throw migrationFrontendErrors.error('migration-uri.missing', { command, since90 });
}

export const MIGRATION_COMMANDS: readonly QmpCommand[] = [
  {
    name: 'query-migrate',
    args: [],
    // qmp_query_migrate fills the source's view, then the destination's (socket-address first).
    run: (ctx) => {
      const addresses = ctx.migration?.socketAddresses();
      if (!addresses) return queryMigrate(ctx.machine);
      // MigrationInfo's members in schema order: status first, socket-address later.
      const listening = incomingSetupWhileListening(ctx.machine.release) ? { status: 'setup' } : {};
      return { ...listening, ...queryMigrate(ctx.machine), 'socket-address': addresses };
    },
  },
  {
    name: 'migrate',
    args: [
      { name: 'uri', type: 'str', optional: true },
      { name: 'channels', type: 'any', optional: true },
      { name: 'blk', type: 'bool', optional: true },
      { name: 'inc', type: 'bool', optional: true },
      { name: 'detach', type: 'bool', optional: true },
      { name: 'resume', type: 'bool', optional: true },
    ],
    replayed: false,
    run: (ctx, args) => {
      endpoint(ctx).migrate(uriArgument(ctx.machine.release, 'migrate', args), {
        blk: flag(args['blk']),
        inc: flag(args['inc']),
        resume: flag(args['resume']),
      });
      return {};
    },
  },
  {
    name: 'migrate-incoming',
    args: [{ name: 'uri', type: 'str' }],
    replayed: false,
    run: (ctx, args) => {
      // Binding a unix socket completes at once; errors the kernel reports later are printed.
      endpoint(ctx)
        .migrateIncoming(args['uri'] as string)
        .catch((e: unknown) => ctx.migration?.process.report((e as Error).message));
      return {};
    },
  },
  {
    name: 'migrate-start-postcopy',
    args: [],
    replayed: false,
    run: (ctx) => {
      endpoint(ctx).startPostcopy();
      return {};
    },
  },
  {
    name: 'migrate_cancel',
    args: [],
    replayed: false,
    run: (ctx) => {
      ctx.migration?.cancel();
      return {};
    },
  },
  {
    name: 'query-migrate-parameters',
    args: [],
    run: (ctx) => queryMigrationParameters(ctx.machine),
  },
  {
    name: 'migrate-set-parameters',
    args: [],
    rest: true,
    run: (ctx, args) => {
      const specs = migrationParameters(ctx.machine.release);
      checkArgs(args, specs.map(setArgSpec));
      for (const spec of specs) {
        // StrOrNull: a string, or null (QEMU's alternate type).
        const value = args[spec.name];
        if (spec.setType === 'StrOrNull' && value !== undefined && value !== null && typeof value !== 'string') throw parameterType(spec.name, 'string');
      }
      setMigrationParameters(ctx.machine, new Map(Object.entries(args)));
      return {};
    },
  },
  {
    // qmp_migrate_continue: only a migration paused before the switchover waits for it, and
    // hotmem refuses pause-before-switchover, so this answers with the state it is in.
    name: 'migrate-continue',
    args: [{ name: 'state', type: 'str' }],
    replayed: false,
    run: (ctx, args) => {
      const state = checkEnum(ctx.machine.release, 'state', args['state'], migrationStatuses(ctx.machine.release));
      const current = ctx.machine.model.services.get(MIGRATION_INFO);
      const status = current?.role === 'source' ? current.status : 'none';
      if (status !== state) throw new QmpError('GenericError', `Migration not in expected state: ${status}`);
      return {};
    },
  },
  {
    name: 'query-migrate-capabilities',
    args: [],
    run: (ctx) => {
      const enabled = migrationSettings(ctx.machine).enabled;
      return migrationCapabilities(ctx.machine.release).map((capability) => ({ state: enabled.has(capability), capability }));
    },
  },
  {
    name: 'migrate-set-capabilities',
    args: [{ name: 'capabilities', type: 'array' }],
    run: (ctx, args) => {
      const members = migrationCapabilities(ctx.machine.release);
      const changes = (args['capabilities'] as readonly unknown[]).map((entry, i) => {
        const path = `capabilities[${i}].`;
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw parameterType(`capabilities[${i}]`, 'object');
        const member = entry as Readonly<Record<string, unknown>>;
        const capability = checkEnum(ctx.machine.release, 'capability', member['capability'], members, path);
        checkArgs(
          member,
          [
            { name: 'capability', type: 'str' },
            { name: 'state', type: 'bool' },
          ],
          false,
          path,
        );
        return { capability, state: member['state'] as boolean };
      });
      const settings = migrationSettings(ctx.machine);
      if (outgoingMigrationRunning(ctx.machine)) throw migrationFrontendErrors.error('migration.active');
      const next = new Set(settings.enabled);
      for (const { capability, state } of changes) {
        if (state) next.add(capability);
        else next.delete(capability);
      }
      const problem = capabilityProblem(ctx.machine, settings.enabled, next);
      if (problem) throw new QmpError('GenericError', problem);
      settings.enabled.clear();
      for (const c of next) settings.enabled.add(c);
      return {};
    },
  },
];
