/**
 * A hotmem process's migration channel: `migrate` connects to a peer's socket, `-incoming` and
 * `migrate-incoming` listen for one. Once the two processes have traded recipes, each models the
 * whole migration with the same engine on its own machine and a replica of the other, so both
 * monitors report what QEMU's two monitors would, and each host is charged what it spends.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { HotmemError } from '../../core/errors.js';
import { compareReleases } from '../../core/release.js';
import { ERRNO, type Errno } from '../../host/errno.js';
import type { Machine } from '../../machine/machine.js';
import {
  incomingSetupWhileListening,
  MIGRATION_INFO,
  newMigrationInfo,
  outgoingMigrationRunning,
  setMigrationStatus,
  type MigrationInfo,
} from '../../migration/info.js';
import { migrationParameter } from '../../migration/parameters.js';
import type { MigrationOutcome } from '../../migration/outcome.js';
import type { Side } from '../../migration/workload.js';
import { passesThroughFailing } from '../../migration/qapi-data.js';
import { migrationEventsEnabled, migrationSettings } from '../../migration/settings.js';
import { migrationFrontendErrors } from './errors.js';
import { outcomeDigest, runPeerMigration } from './peer-run.js';
import type { HistoryEntry, PeerMigrationOptions, ProcessRecipe } from './recipe.js';
import { addressTarget, incomingAddress, outgoingAddress, parsesUriFirst, socketAddressInfo, type SocketAddress } from './uri.js';
import { Wire, type WireMessage } from './wire.js';

/** A peer process rebuilt from its recipe, as the channel needs it. */
export interface Replica {
  readonly machine: Machine;
}

/** What the channel needs from the process it belongs to; `Peer` is what its replicas of peers are. */
export interface EndpointProcess<Peer extends Replica> {
  readonly machine: Machine;
  readonly hotmemVersion: string;
  /** The link between the two hosts, bytes per second (hotmem's --link-bandwidth). */
  readonly linkBandwidth: number;
  recipe(): ProcessRecipe;
  /** Rebuilds a peer from its recipe; throws when the recipe does not start. */
  replicate(recipe: ProcessRecipe): Peer;
  /** A migration between this process and (a replica of) its peer has been modelled. */
  migrated(role: Side, peer: Peer, outcome: MigrationOutcome): void;
  record(entry: Extract<HistoryEntry, { kind: 'migration' }>): void;
  /** error_report: one line on stderr with the program's name. */
  report(message: string): void;
  /** The process ends (a destination whose incoming migration failed exits with status 1). */
  exit(status: number): void;
  /** Holds the monitors' input until the returned function is called. */
  holdInput(): () => void;
}

type Incoming =
  /** Not listening: no -incoming yet, -incoming defer, or nothing more to receive. */
  | { readonly kind: 'none' }
  | { readonly kind: 'listening'; readonly address: SocketAddress; readonly server: Server }
  /** A peer connected: its answer is awaited. */
  | { readonly kind: 'receiving' };

/** An outgoing migration waiting for its peer: migrate-start-postcopy may still switch it. */
interface Pending {
  postcopy: boolean;
  wire: Wire | undefined;
  readonly info: MigrationInfo;
  /** What this side modelled, once it has; the destination's `done` must match it. */
  digest: string | undefined;
}

/** A SIGBUS ends a process with 128 + 7. */
const SIGBUS_EXIT = 135;

export class MigrationEndpoint<Peer extends Replica = Replica> {
  #incoming: Incoming = { kind: 'none' };
  /** qmp_migrate_incoming's `once`: an incoming migration starts once per process (-incoming URI counts). */
  #incomingStarted = false;
  /** `-incoming URI` (not defer) listened at start-up; 5.2 told migrate-incoming apart by it. */
  #listenedAtStartup = false;
  #pending: Pending | undefined;

  constructor(readonly process: EndpointProcess<Peer>) {}

  get machine(): Machine {
    return this.process.machine;
  }

  /** query-migrate's socket-address while the destination listens. */
  socketAddresses(): readonly Record<string, string | boolean>[] | undefined {
    return this.#incoming.kind === 'listening' ? [socketAddressInfo(this.#incoming.address, this.#incoming.server.address())] : undefined;
  }

  // ---- the source -------------------------------------------------------------------------------------

  /**
   * qmp_migrate: checks, SETUP, then connects; the rest happens when the peer answers. From 8.2
   * (migrate_uri_parse) the URI is parsed before anything else and a bad one changes nothing;
   * before, it was parsed after SETUP and a bad address failed the migration.
   */
  migrate(uri: string, args: { readonly blk: boolean; readonly inc: boolean; readonly resume: boolean }): void {
    const early = parsesUriFirst(this.machine.release) ? outgoingAddress(uri, this.machine.release) : undefined;
    const info = this.machine.model.services.get(MIGRATION_INFO);
    if (args.resume) {
      if (info?.status !== 'postcopy-paused') throw migrationFrontendErrors.error('migration.resume-not-paused');
      throw migrationFrontendErrors.error('migration.resume-not-modelled');
    }
    // A migration waiting for its peer is in SETUP, so this covers it too.
    if (outgoingMigrationRunning(this.machine)) throw migrationFrontendErrors.error('migration.active');
    if (this.machine.runState === 'inmigrate') throw migrationFrontendErrors.error('migration.waiting-incoming');
    // 36d0fe6516 (6.0) refuses to migrate a VM that an earlier migration left paused.
    if (this.machine.runState === 'postmigrate' && compareReleases(this.machine.release, { major: 6, minor: 0 }) >= 0) {
      throw migrationFrontendErrors.error('migration.postmigrate');
    }
    if (args.blk || args.inc) throw migrationFrontendErrors.error('migration.block-not-modelled');
    const begun = newMigrationInfo('source', this.machine.clock.now());
    this.machine.model.services.set(MIGRATION_INFO, begun);
    setMigrationStatus(this.machine, begun, 'setup');
    let address: SocketAddress;
    try {
      address = early ?? outgoingAddress(uri, this.machine.release);
    } catch (e) {
      // An unknown protocol is only the reply; a bad address also becomes error-desc (migrate_fd_error).
      if (e instanceof HotmemError && e.code !== 'migration-uri.outgoing-protocol') begun.errorDesc = e.message;
      setMigrationStatus(this.machine, begun, 'failed');
      throw e;
    }
    const pending: Pending = { postcopy: false, wire: undefined, info: begun, digest: undefined };
    this.#pending = pending;
    this.#connect(address, pending);
  }

  /** qmp_migrate_start_postcopy. */
  startPostcopy(): void {
    if (!migrationSettings(this.machine).enabled.has('postcopy-ram')) throw migrationFrontendErrors.error('migration.postcopy-not-enabled');
    const info = this.machine.model.services.get(MIGRATION_INFO);
    if (!info || info.role !== 'source' || info.status === 'none') throw migrationFrontendErrors.error('migration.postcopy-not-started');
    // Once the peers have met, the model has run the migration to its end: nothing left to switch.
    if (this.#pending) this.#pending.postcopy = true;
  }

  /** qmp_migrate_cancel: a migration still waiting for its peer is cancelled; a finished one is left alone. */
  cancel(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    pending.wire?.close();
    setMigrationStatus(this.machine, pending.info, 'cancelling');
    setMigrationStatus(this.machine, pending.info, 'cancelled');
  }

  #connect(address: SocketAddress, pending: Pending): void {
    const socket =
      address.type === 'unix' ? createConnection(address.path) : createConnection({ host: address.host || 'localhost', port: Number(address.port) });
    let connected = false;
    let connectError: NodeJS.ErrnoException | undefined;
    socket.once('error', (e: NodeJS.ErrnoException) => (connectError = e));
    socket.once('connect', () => (connected = true));
    let sentGo = false;
    pending.wire = new Wire(
      socket,
      (message) => {
        if (message.type === 'welcome' && !sentGo && this.#pending === pending) {
          sentGo = true;
          this.#runAsSource(message, pending);
        } else if (message.type === 'done' && pending.digest !== undefined) {
          this.#compare(pending.digest, message.digest);
          pending.wire!.close();
        } else {
          this.#failOutgoing(pending, migrationFrontendErrors.error('migration.peer-not-hotmem', { detail: `unexpected '${message.type}'` }).message);
        }
      },
      (problem) => {
        if (sentGo || this.#pending !== pending) return;
        if (!connected) {
          const error = errnoText(connectError) ?? problem;
          this.#failOutgoing(pending, migrationFrontendErrors.error('migration.connect', { target: addressTarget(address), error }).message);
          return;
        }
        this.#failOutgoing(pending, migrationFrontendErrors.error('migration.peer-not-hotmem', { detail: problem }).message);
      },
    );
  }

  #runAsSource(welcome: Extract<WireMessage, { type: 'welcome' }>, pending: Pending): void {
    const wire = pending.wire!;
    if (welcome.hotmem !== this.process.hotmemVersion) {
      const reason = migrationFrontendErrors.error('migration.peer-version', { local: this.process.hotmemVersion, peer: welcome.hotmem }).message;
      wire.send({ type: 'abort', reason });
      this.#failOutgoing(pending, reason);
      return;
    }
    let peer: Peer;
    try {
      peer = this.process.replicate(welcome.recipe);
    } catch (e) {
      const reason = migrationFrontendErrors.error('migration.peer-not-hotmem', { detail: `its recipe does not start: ${(e as Error).message}` }).message;
      wire.send({ type: 'abort', reason });
      this.#failOutgoing(pending, reason);
      return;
    }
    this.#pending = undefined;
    const recipe = this.process.recipe();
    const options = this.#options(pending.postcopy);
    const outcome = runPeerMigration(this.machine, peer.machine, 'source', options);
    this.process.record({ kind: 'migration', role: 'source', peer: welcome.recipe, options });
    this.process.migrated('source', peer, outcome);
    pending.digest = outcomeDigest(outcome);
    wire.send({ type: 'go', hotmem: this.process.hotmemVersion, recipe, options, digest: pending.digest });
    for (const line of outcome.source.errors) this.process.report(line);
    const info = this.machine.model.services.get(MIGRATION_INFO);
    if (info?.errorDesc !== undefined) this.process.report(info.errorDesc);
    if (outcome.source.exited) this.process.exit(SIGBUS_EXIT);
  }

  /** The migration parameters and capabilities the source runs with. */
  #options(postcopyRequested: boolean): PeerMigrationOptions {
    const settings = migrationSettings(this.machine);
    return {
      bandwidth: this.process.linkBandwidth,
      maxBandwidth: Number(migrationParameter(this.machine, 'max-bandwidth')),
      downtimeLimitMs: Number(migrationParameter(this.machine, 'downtime-limit')),
      postcopy: postcopyRequested && settings.enabled.has('postcopy-ram'),
      returnPath: settings.enabled.has('return-path'),
    };
  }

  /**
   * An outgoing migration that never met its peer. Observed on Debian's 11.1.3, the release that
   * brought the `failing` status: the failure passes through it and is told only in error-desc;
   * before, it went straight to failed and was also printed.
   */
  #failOutgoing(pending: Pending, message: string): void {
    if (this.#pending === pending) this.#pending = undefined;
    pending.wire?.close();
    pending.info.errorDesc = message;
    const failing = passesThroughFailing(this.machine.release);
    if (failing) setMigrationStatus(this.machine, pending.info, 'failing');
    setMigrationStatus(this.machine, pending.info, 'failed');
    if (!failing) this.process.report(message);
  }

  /** The process is going away: stop listening and drop a migration waiting for its peer. */
  close(): void {
    if (this.#incoming.kind === 'listening') this.#incoming.server.close();
    this.#incoming = { kind: 'none' };
    this.#pending?.wire?.close();
    this.#pending = undefined;
  }

  // ---- the destination --------------------------------------------------------------------------------

  /** -incoming URI at start-up; rejects with QEMU's message when the socket cannot be bound. */
  listenAtStartup(address: SocketAddress): Promise<void> {
    this.#incomingStarted = true;
    this.#listenedAtStartup = true;
    const missing = bindProblem(address);
    return missing ? Promise.reject(missing) : this.#listen(address);
  }

  /**
   * qmp_migrate_incoming. Until 6.0 (e69d50d621) it first asked whether the incoming migration
   * was deferred, so a listening `-incoming URI` got the same answer as no -incoming at all.
   */
  migrateIncoming(uri: string): Promise<void> {
    const since60 = compareReleases(this.machine.release, { major: 6, minor: 0 }) >= 0;
    const deferred = this.machine.runState === 'inmigrate' && !this.#listenedAtStartup;
    if (!since60 && !deferred) throw migrationFrontendErrors.error('migration.no-incoming', { since60 });
    if (this.#incomingStarted) throw migrationFrontendErrors.error('migration.incoming-started');
    if (this.machine.runState !== 'inmigrate') throw migrationFrontendErrors.error('migration.no-incoming', { since60 });
    // Until 8.2 qemu_start_incoming_migration announced SETUP before it looked at the URI, events
    // or not; from 8.2 (4111a732e8) it parses the URI first and sets SETUP through
    // migrate_set_state, which announces it only with the events capability.
    const setupAfterParse = incomingSetupWhileListening(this.machine.release);
    if (!setupAfterParse) this.machine.events.emit('MIGRATION', { status: 'setup' });
    const address = incomingAddress(uri);
    if (setupAfterParse && migrationEventsEnabled(this.machine)) this.machine.events.emit('MIGRATION', { status: 'setup' });
    const missing = bindProblem(address);
    if (missing) throw missing;
    this.#incomingStarted = true;
    return this.#listen(address);
  }

  #listen(address: SocketAddress): Promise<void> {
    // unix_listen_saddr removes a stale socket file first.
    if (address.type === 'unix' && existsSync(address.path)) unlinkSync(address.path);
    const server = createServer((socket) => this.#accept(socket, server));
    this.#incoming = { kind: 'listening', address, server };
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        this.#incoming = { kind: 'none' };
        const error = errnoText(e) ?? e.message;
        reject(migrationFrontendErrors.error('migration.bind', { address, error }));
      });
      if (address.type === 'unix') server.listen(address.path, resolve);
      else server.listen(Number(address.port), address.host || undefined, resolve);
    });
  }

  /** The first connection is the migration; QEMU stops listening once it has it. */
  #accept(socket: Socket, server: Server): void {
    if (this.#incoming.kind !== 'listening') {
      socket.destroy();
      return;
    }
    server.close();
    this.#incoming = { kind: 'receiving' };
    // The recipe sent now must stay true until the source's answer arrives.
    const release = this.process.holdInput();
    const wire = new Wire(
      socket,
      (message) => {
        if (this.#incoming.kind !== 'receiving') return;
        this.#incoming = { kind: 'none' };
        if (message.type === 'go') this.#runAsDestination(message, wire, release);
        else this.#failIncoming(wire, release, message.type === 'abort' ? message.reason : `hotmem: the source sent '${message.type}' before it migrated`);
      },
      (problem) => {
        if (this.#incoming.kind !== 'receiving') return;
        this.#incoming = { kind: 'none' };
        this.#failIncoming(wire, release, `hotmem: the incoming migration broke off before it began: ${problem}`);
      },
    );
    wire.send({ type: 'welcome', hotmem: this.process.hotmemVersion, recipe: this.process.recipe() });
  }

  #runAsDestination(go: Extract<WireMessage, { type: 'go' }>, wire: Wire, release: () => void): void {
    if (go.hotmem !== this.process.hotmemVersion) {
      this.#failIncoming(
        wire,
        release,
        migrationFrontendErrors.error('migration.peer-version', { local: this.process.hotmemVersion, peer: go.hotmem }).message,
      );
      return;
    }
    let source: Peer;
    try {
      source = this.process.replicate(go.recipe);
    } catch (e) {
      this.#failIncoming(
        wire,
        release,
        migrationFrontendErrors.error('migration.peer-not-hotmem', { detail: `its recipe does not start: ${(e as Error).message}` }).message,
      );
      return;
    }
    const outcome = runPeerMigration(this.machine, source.machine, 'destination', go.options);
    this.process.record({ kind: 'migration', role: 'destination', peer: go.recipe, options: go.options });
    this.process.migrated('destination', source, outcome);
    const digest = outcomeDigest(outcome);
    wire.send({ type: 'done', digest });
    this.#compare(digest, go.digest);
    wire.close();
    release();
    if (outcome.destination.exited) {
      if (outcome.kind === 'failed' && outcome.side === 'destination') for (const line of outcome.log) this.process.report(line);
      this.process.exit(1);
    }
  }

  #failIncoming(wire: Wire, release: () => void, message: string): void {
    wire.close();
    release();
    this.process.report(message);
    this.process.exit(1);
  }

  /** Both processes ran the same deterministic model on the same inputs: a difference is a hotmem bug, said out loud. */
  #compare(local: string, peer: string): void {
    if (local !== peer) this.process.report(migrationFrontendErrors.error('migration.peer-disagrees', { local, peer }).message);
  }
}

/** A unix socket in a directory that does not exist cannot be bound: QEMU says so in the reply. */
function bindProblem(address: SocketAddress): HotmemError | undefined {
  if (address.type !== 'unix' || existsSync(dirname(address.path))) return undefined;
  return migrationFrontendErrors.error('migration.bind', { address, error: ERRNO.ENOENT.message });
}

function errnoText(e: NodeJS.ErrnoException | undefined): string | undefined {
  const code = e?.code;
  return code !== undefined && code in ERRNO ? ERRNO[code as Errno].message : undefined;
}
