/**
 * One `hotmem qemu` process: the binary it models, its machine and guest, the monitor context
 * its QMP sessions share, and the history that lets a migration peer rebuild it. A replica is
 * built by the same code from a recipe, so it is the process it copies.
 */
import { realHost } from '../frontends/cmdline/host-files.js';
import { formatReport, runQemu, timestamped, type QemuBinary, type QemuIo } from '../frontends/cmdline/qemu.js';
import type { Invocation } from '../frontends/cmdline/invocation.js';
import { MigrationEndpoint, type EndpointProcess } from '../frontends/migration/endpoint.js';
import { runPeerMigration } from '../frontends/migration/peer-run.js';
import type { HistoryEntry, ProcessRecipe, ProcessSpec } from '../frontends/migration/recipe.js';
import type { SocketAddress } from '../frontends/migration/uri.js';
import { QMP_COMMANDS } from '../frontends/qmp/commands/index.js';
import { QmpSession, type QmpContext } from '../frontends/qmp/session.js';
import type { Machine } from '../machine/machine.js';
import type { Preparation, PreparedMachines } from '../machine/prepared.js';
import { qemuBinary } from './binary.js';
import { attachLinuxGuest } from './guest.js';
import type { LinuxGuest } from '../guest/linux-guest.js';
import { kernelParameters } from '../guest/linux/kernel-parameters.js';
import { hotmemVersion } from './version.js';
import type { MigrationOutcome } from '../migration/outcome.js';
import type { Side } from '../migration/workload.js';

/** What only a live process has: its output, the link to its peers, and a way to end. */
export interface LiveSetting {
  readonly io: QemuIo;
  readonly linkBandwidth: number;
  /** The process ends with this status (a destination whose incoming migration failed). */
  readonly exit: (status: number) => void;
  /** Where to borrow the machine from: given only to a process whose monitor commands all leave it alone. */
  readonly machines?: PreparedMachines<PreparedStart>;
}

/** A start kept for borrowers: the running machine, its parsed options, and what the start printed. */
export interface PreparedStart extends Preparation {
  readonly invocation: Invocation;
  readonly incoming: SocketAddress | undefined;
  readonly out: string;
  readonly err: string;
}

/**
 * Borrowers share the machine and nothing of the process: a guest model, an incoming
 * migration, sockets a client could change it through, or wall-clock timestamps in what the
 * start printed would each make one process's start differ from another's.
 */
const shareable = (start: PreparedStart): boolean =>
  start.invocation.incoming === undefined && !start.invocation.timestamps && start.invocation.qmp.every((c) => c.kind === 'stdio');

export type ProcessStart = { readonly kind: 'exited'; readonly status: number } | { readonly kind: 'running'; readonly process: QemuProcess };

const SILENT: QemuIo = { out: () => undefined, err: () => undefined };

export class QemuProcess implements EndpointProcess<QemuProcess> {
  readonly ctx: QmpContext;
  readonly migration: MigrationEndpoint<QemuProcess> | undefined;
  /** The modelled guest, while the VM runs in this process: `--guest`, or one that came with a migration. */
  #guest: LinuxGuest | undefined;
  readonly #history: HistoryEntry[] = [];
  #quit = false;
  #held: { promise: Promise<void>; release: () => void } | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    readonly binary: QemuBinary,
    readonly machine: Machine,
    readonly invocation: Invocation,
    /** The -incoming address to listen on once the process runs. */
    readonly incoming: SocketAddress | undefined,
    guest: LinuxGuest | undefined,
    readonly live: LiveSetting | undefined,
  ) {
    this.#guest = guest;
    this.migration = live ? new MigrationEndpoint(this) : undefined;
    this.ctx = {
      machine,
      version: { major: binary.release.major, minor: binary.release.minor, micro: 0 },
      // After each command the guest runs until idle, so polling clients see converged state.
      settle: () => (this.#guest ? this.#guest.settle() : machine.scheduler.runUntilIdle()),
      requestQuit: () => (this.#quit = true),
      quitRequested: () => this.#quit,
      ...(this.migration ? { migration: this.migration } : {}),
      recordCommand: (text) => this.#history.push({ kind: 'qmp', text }),
      inputHeld: () => this.#held?.promise,
    };
  }

  /** Starts as qemu-system-<arch> would with the spec's arguments; a live process prints, a replica does not. */
  static start(spec: ProcessSpec, live: LiveSetting | undefined): ProcessStart {
    const io = live?.io ?? SILENT;
    const binary = qemuBinary(
      new Map([
        ['qemu-version', spec.qemuVersion],
        ['arch', spec.arch],
      ]),
    );
    if (live?.machines && spec.guest === undefined) return QemuProcess.#startBorrowing(spec, binary, live, live.machines);
    const host = realHost(spec.hostArch, spec.hostKernel);
    const outcome = runQemu(binary, spec.argv, io, host);
    if (outcome.kind === 'exited') return outcome;
    if (spec.guest !== undefined && outcome.invocation.incoming) {
      io.err('hotmem: --guest cannot be combined with -incoming: an incoming VM gets its guest from the migration\n');
      return { kind: 'exited', status: 1 };
    }
    const guest =
      spec.guest === undefined ? undefined : attachLinuxGuest(outcome.machine, { kernel: spec.guest, ...kernelParameters(outcome.invocation.append ?? '') });
    guest?.settle();
    return { kind: 'running', process: new QemuProcess(spec, binary, outcome.machine, outcome.invocation, outcome.incoming, guest, live) };
  }

  /** The start of a process whose commands leave the machine alone: on the machine prepared for its spec. */
  static #startBorrowing(spec: ProcessSpec, binary: QemuBinary, live: LiveSetting, machines: PreparedMachines<PreparedStart>): ProcessStart {
    const key = JSON.stringify([spec.qemuVersion, spec.arch, spec.hostArch, spec.hostKernel, spec.argv]);
    let exited = 0;
    const lent = machines.lend(
      key,
      () => {
        let out = '';
        let err = '';
        const captured: QemuIo = { out: (text) => (out += text), err: (text) => (err += text) };
        const outcome = runQemu(binary, spec.argv, captured, realHost(spec.hostArch, spec.hostKernel));
        if (outcome.kind === 'running') return { machine: outcome.machine, invocation: outcome.invocation, incoming: outcome.incoming, out, err };
        live.io.out(out);
        live.io.err(err);
        exited = outcome.status;
        return undefined;
      },
      shareable,
    );
    const start = lent.kind === 'lent' ? lent.prepared : lent.result;
    if (!start) return { kind: 'exited', status: exited };
    if (start.out !== '') live.io.out(start.out);
    if (start.err !== '') live.io.err(start.err);
    return { kind: 'running', process: new QemuProcess(spec, binary, start.machine, start.invocation, start.incoming, undefined, live) };
  }

  /** Rebuilds the process a recipe describes, replaying its history; throws when it does not start. */
  static replay(recipe: ProcessRecipe): QemuProcess {
    const started = QemuProcess.start(recipe.spec, undefined);
    if (started.kind === 'exited') throw new Error(`it exits with status ${started.status} on start-up`);
    const replica = started.process;
    const session = new QmpSession(replica.ctx, QMP_COMMANDS, () => undefined);
    session.handle('{"execute": "qmp_capabilities"}');
    for (const entry of recipe.history) {
      if (entry.kind === 'qmp') {
        session.handle(entry.text);
      } else {
        const peer = QemuProcess.replay(entry.peer);
        const outcome = runPeerMigration(replica.machine, peer.machine, entry.role, entry.options);
        replica.record(entry);
        replica.migrated(entry.role, peer, outcome);
      }
    }
    session.close();
    return replica;
  }

  /** The modelled guest while the VM runs here: what a real one would print on its console comes from here. */
  get guest(): LinuxGuest | undefined {
    return this.#guest;
  }

  // ---- EndpointProcess ----------------------------------------------------------------------------------

  get hotmemVersion(): string {
    return hotmemVersion();
  }

  get linkBandwidth(): number {
    return this.live?.linkBandwidth ?? 0;
  }

  recipe(): ProcessRecipe {
    return { spec: this.spec, history: [...this.#history] };
  }

  replicate(recipe: ProcessRecipe): QemuProcess {
    return QemuProcess.replay(recipe);
  }

  /**
   * Once a migration completed, the VM runs on the destination, and its guest with it: real QEMU
   * carries the guest's state (its drivers' view of the devices, the balloon's pages, its page
   * allocator) in the RAM it sends, hotmem moves its model of that guest from the source's
   * replica to the destination's machine. Nothing of it goes on the wire between the processes:
   * the destination rebuilt the source, guest included, from the source's recipe.
   */
  migrated(role: Side, peer: QemuProcess, outcome: MigrationOutcome): void {
    if (outcome.kind !== 'completed') return;
    const [source, destination] = role === 'source' ? [this, peer] : [peer, this];
    const guest = source.#guest;
    source.#guest = undefined;
    if (!guest) return;
    guest.vm.moveTo(destination.machine);
    destination.#guest = guest;
  }

  record(entry: Extract<HistoryEntry, { kind: 'migration' }>): void {
    this.#history.push(entry);
  }

  report(message: string): void {
    if (this.live) timestamped(this.live.io, this.invocation.timestamps).err(formatReport(this.spec.arch, undefined, message));
  }

  exit(status: number): void {
    this.live?.exit(status);
  }

  holdInput(): () => void {
    let release: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const held = { promise, release };
    this.#held = held;
    return () => {
      if (this.#held === held) this.#held = undefined;
      release();
    };
  }
}
