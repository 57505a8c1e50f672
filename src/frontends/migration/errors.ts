/**
 * Errors of the migration front end: QEMU 7.2's texts (migration/migration.c, util/qemu-sockets.c,
 * migration/socket.c) where QEMU reports the situation; hotmem-only codes where the model refuses
 * what QEMU would do but hotmem does not model, or where the two processes must agree.
 */
import { defineErrors } from '../../core/errors.js';
import type { SocketAddress } from './uri.js';

export const migrationFrontendErrors = defineErrors({
  // qmp_migrate until 8.2: QERR_INVALID_PARAMETER_VALUE (from 8.2 migrate_uri_parse's incoming-protocol)
  'migration-uri.outgoing-protocol': () => "Parameter 'uri' expects a valid migration protocol",
  // qmp_migrate / qmp_migrate_incoming without uri (and channels): 8.2, then 9.0 (0770ad438d)
  'migration-uri.missing': (a: { command: string; since90: boolean }) =>
    a.since90 ? "need either 'uri' or 'channels' argument" : `neither 'uri' or 'channels' argument are specified in '${a.command}' qmp command `,
  'migration-uri.both': (a: { command: string; since90: boolean }) =>
    a.since90
      ? "need either 'uri' or 'channels' argument"
      : `'uri' and 'channels' arguments are mutually exclusive; exactly one of the two should be present in '${a.command}' qmp command `,
  // hotmem-only
  'migration-uri.channels-not-modelled': () => "hotmem does not model migrate's 'channels' argument: give 'uri'",
  // qemu_start_incoming_migration
  'migration-uri.incoming-protocol': (a: { uri: string }) => `unknown migration protocol: ${a.uri}`,
  // socket_parse -> unix path empty
  'migration-uri.unix-address': () => 'invalid Unix socket address',
  // inet_parse
  'migration-uri.inet-address': (a: { address: string }) => `error parsing address '${a.address}'`,
  // hotmem-only: QEMU protocols hotmem has no channel for
  'migration-uri.not-modelled': (a: { uri: string }) => `hotmem migrates between hotmem processes over unix: and tcp: sockets only (got '${a.uri}')`,
  // migrate_prepare and friends
  'migration.resume-not-paused': () => 'Cannot resume if there is no paused migration',
  'migration.resume-not-modelled': () => 'hotmem does not model postcopy recovery (migrate resume=true)',
  'migration.active': () => "There's a migration process in progress",
  'migration.waiting-incoming': () => 'Guest is waiting for an incoming migration',
  'migration.postmigrate': () => "Can't migrate the vm that was paused due to previous migration",
  'migration.block-not-modelled': () => 'hotmem models no disks: block migration (blk, inc) is not available',
  // qmp_migrate_incoming; 5.2 said "For use with '-incoming defer'" (e69d50d621, 6.0)
  'migration.no-incoming': (a: { since60: boolean }) => (a.since60 ? "'-incoming' was not specified on the command line" : "For use with '-incoming defer'"),
  'migration.incoming-started': () => 'The incoming migration has already been started',
  // qmp_migrate_start_postcopy
  'migration.postcopy-not-enabled': () => 'Enable postcopy with migrate_set_capability before the start of migration',
  'migration.postcopy-not-started': () => 'Postcopy must be started after migration has been started',
  // socket_outgoing_migration -> migration_channel_connect
  'migration.connect': (a: { target: string; error: string }) => `Failed to connect to '${a.target}': ${a.error}`,
  'migration.broken-pipe': () => 'Unable to write to socket: Broken pipe',
  // unix_listen_saddr / inet_listen_saddr
  'migration.bind': (a: { address: SocketAddress; error: string }) =>
    a.address.type === 'unix' ? `Failed to bind socket to ${a.address.path}: ${a.error}` : `Failed to find an available port: ${a.error}`,
  // hotmem-only: a monitor without a process around it (a replica, a test harness)
  'migration.no-channel': () => 'hotmem: this monitor has no migration channel (only `hotmem qemu` processes migrate over QMP)',
  // hotmem-only: the two processes of one migration
  'migration.peer-not-hotmem': (a: { detail: string }) => `hotmem: the peer is not a hotmem process speaking the same migration channel (${a.detail})`,
  'migration.peer-version': (a: { local: string; peer: string }) =>
    `hotmem: the peer runs hotmem ${a.peer} and this process ${a.local}: both sides model the migration, so they must run the same version`,
  'migration.peer-disagrees': (a: { local: string; peer: string }) =>
    `hotmem: internal error: the two processes modelled this migration differently (here: ${a.local}; peer: ${a.peer})`,
});
