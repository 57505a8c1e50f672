/**
 * One QMP session (monitor/qmp.c, qapi/qmp-dispatch.c): the greeting, capability negotiation,
 * the checks on each request's shape, dispatch to a command table, and events interleaved with
 * replies as the machine emits them.
 */
import type { StampedEvent } from '../../core/events.js';
import { NANOS_PER_SECOND } from '../../core/clock.js';
import type { Machine } from '../../machine/machine.js';
import { checkArgs, checkEnum, type ArgSpec, type QmpArgs } from './args.js';
import { QmpError, toQmpError } from './errors.js';
import { jsonErrorStyle } from './json-parser.js';
import { JsonMessageParser, type JsonMessage } from './json-streamer.js';
import { QDict, qdictOrder, toPlain, type QObject } from './qobject.js';
import type { MigrationEndpoint } from '../migration/endpoint.js';
import { qmpSchemaData } from './schema-data.js';

/** What commands run against. */
export interface QmpContext {
  readonly machine: Machine;
  readonly version: { readonly major: number; readonly minor: number; readonly micro: number };
  /** Lets the modelled guest run in simulated time until it is idle. */
  settle(): void;
  /** quit: the session ends after replying. */
  requestQuit(): void;
  quitRequested(): boolean;
  /** The process's migration channel; absent where a monitor has none (a replica, a test). */
  readonly migration?: MigrationEndpoint;
  /** Hears every command that ran and changed the machine: replicas of this process repeat them. */
  recordCommand?(text: string): void;
  /** While a migration peer is reading this process's recipe, input waits for the promise. */
  inputHeld?(): Promise<void> | undefined;
  /** The id of the monitor object this session is (11.1 files its monitors under /objects). */
  readonly monitorId?: string;
}

export interface QmpCommand {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** The command interprets members beyond `args` itself (device_add, object-add). */
  readonly rest?: boolean;
  /** Whether this release has the command; absent means every modelled release. */
  readonly available?: (ctx: QmpContext) => boolean;
  /** False for commands about a migration's peer or the process: a replica does not repeat them. */
  readonly replayed?: false;
  run(ctx: QmpContext, args: QmpArgs): unknown;
}

export type QmpMessage = Readonly<Record<string, unknown>>;

/**
 * QMPCapability: what the greeting offers. QEMU offers oob on monitors with their own I/O thread,
 * which every -qmp channel hotmem serves (stdio and sockets) has.
 */
const QMP_CAPABILITIES = ['oob'] as const;

/** Queries change nothing, so a replica need not repeat them. */
const READ_ONLY = /^(x-)?query-|^qom-(get|list)$/;

/**
 * Whether a command leaves the machine as it was: the queries, capabilities negotiation (the
 * session's own state) and quit (it ends the process; its SHUTDOWN event goes to the listeners
 * and stays nowhere).
 */
export const leavesMachineAlone = (name: string): boolean => READ_ONLY.test(name) || name === 'qmp_capabilities' || name === 'quit';

/** QMP's event timestamp: seconds and microseconds (simulated time here). */
export function timestamp(at: number): { seconds: number; microseconds: number } {
  return { seconds: Math.floor(at / NANOS_PER_SECOND), microseconds: Math.floor((at % NANOS_PER_SECOND) / 1000) };
}

/** What a QMP monitor sends as soon as its channel opens (qmp_greeting). */
export function qmpGreeting(version: QmpContext['version']): QmpMessage {
  const { major, minor, micro } = version;
  return { QMP: { version: { qemu: { micro, minor, major }, package: 'hotmem' }, capabilities: [...QMP_CAPABILITIES] } };
}

export class QmpSession {
  #negotiated = false;
  /** The client enabled out-of-band execution in qmp_capabilities. */
  #oob = false;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(
    readonly ctx: QmpContext,
    readonly commands: readonly QmpCommand[],
    readonly send: (message: QmpMessage) => void,
  ) {
    // Events reach a client only once capabilities are negotiated (monitor_qmp_event_emit).
    this.#unsubscribe = ctx.machine.events.onAny((e) => {
      // Events a command raises itself (SHUTDOWN, DUMP_COMPLETED) precede its reply; the guest's
      // reactions come later, from settle(), after it.
      if (this.#negotiated && !this.#closed) this.send(eventMessage(e));
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  greeting(): QmpMessage {
    return qmpGreeting(this.ctx.version);
  }

  /** Handles every message in a JSON text (a test's or a replayed command); replies through `send`. */
  handle(text: string): void {
    const parser = new JsonMessageParser(jsonErrorStyle(this.ctx.machine.release), (message) => this.handleMessage(message));
    parser.feed(Buffer.from(text, 'utf8'));
  }

  /** Handles one message from the stream: a parse error gets its error reply, without an id. */
  handleMessage(message: JsonMessage): void {
    if (message.kind === 'error') {
      this.send({ error: { class: 'GenericError', desc: message.desc } });
      return;
    }
    const request = message.value;
    const id = request instanceof QDict ? request.get('id') : undefined;
    // QEMU adds the id to the reply dictionary, which writes its members in QDict order.
    const withId = (reply: Record<string, unknown>): QmpMessage => {
      if (id === undefined) return reply;
      const members: Record<string, unknown> = { ...reply, id: toPlain(id, true) };
      return Object.fromEntries(qdictOrder(Object.keys(members)).map((k) => [k, members[k]]));
    };
    let ran = false;
    try {
      const { result, command } = this.#dispatch(request);
      ran = true;
      if (command && command.replayed !== false && !READ_ONLY.test(command.name)) this.ctx.recordCommand?.(message.source);
      this.send(withId({ return: result ?? {} }));
    } catch (e) {
      const error = toQmpError(e);
      this.send(withId({ error: { class: error.errorClass, desc: error.desc } }));
    }
    if (ran) this.ctx.settle();
    if (this.ctx.quitRequested()) this.close();
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
  }

  #inReleaseSchema(name: string): boolean {
    const { release, target } = this.ctx.machine.model.env;
    return qmpSchemaData(release, target)?.commands.includes(name) ?? false;
  }

  #dispatch(request: QObject): { result: unknown; command: QmpCommand | undefined } {
    if (!(request instanceof QDict)) throw new QmpError('GenericError', 'QMP input must be a JSON object');
    // qmp_dispatch_check_obj visits the members in QDict order: that order decides which bad
    // member an input with several is told about. exec-oob is a member only once the client
    // enabled the oob capability.
    let execKey: string | undefined;
    for (const [member, value] of request.entries()) {
      if (member === 'execute' || (member === 'exec-oob' && this.#oob)) {
        if (typeof value !== 'string') throw new QmpError('GenericError', `QMP input member '${member}' must be a string`);
        if (execKey) throw new QmpError('GenericError', `QMP input member '${member}' clashes with '${execKey}'`);
        execKey = member;
      } else if (member === 'arguments') {
        if (!(value instanceof QDict)) throw new QmpError('GenericError', "QMP input member 'arguments' must be an object");
      } else if (member !== 'id') {
        throw new QmpError('GenericError', `QMP input member '${member}' is unexpected`);
      }
    }
    if (!execKey) throw new QmpError('GenericError', "QMP input lacks member 'execute'");
    // Exact: an integer past 2^53 reaches the command as a bigint, checked as QEMU checks the
    // int64/uint64 it reads (qom-set requested-size 18446744073709551615).
    const message = toPlain(request, true) as QmpMessage;
    const name = message[execKey] as string;
    const args = (message['arguments'] ?? {}) as QmpArgs;
    // Before negotiation only qmp_capabilities exists; QEMU rewords "not found" to say so.
    const found = name === 'qmp_capabilities' || (this.#negotiated && this.commands.some((c) => c.name === name && (c.available?.(this.ctx) ?? true)));
    if (!found && this.#negotiated && this.#inReleaseSchema(name)) {
      // The release's binary has the command (query-commands lists it): saying "not found" would
      // tell a management layer the binary lacks it.
      throw new QmpError('GenericError', `hotmem does not model the command ${name}`);
    }
    if (!found) {
      throw new QmpError(
        'CommandNotFound',
        this.#negotiated ? `The command ${name} has not been found` : "Expecting capabilities negotiation with 'qmp_capabilities'",
      );
    }
    // QEMU's allow-oob commands (migrate-pause, migrate-recover, yank) are not modelled, so every
    // command hotmem has refuses to run out of band.
    if (execKey === 'exec-oob') throw new QmpError('GenericError', `The command ${name} does not support OOB`);
    if (name === 'qmp_capabilities') {
      if (this.#negotiated) throw new QmpError('CommandNotFound', 'Capabilities negotiation is already complete, command ignored');
      checkArgs(args, [{ name: 'enable', type: 'array', optional: true }]);
      // The list's members have no name of their own: QEMU calls each 'null'.
      const enable = ((args['enable'] ?? []) as unknown[]).map((c) => checkEnum(this.ctx.machine.release, 'null', c, QMP_CAPABILITIES));
      this.#negotiated = true;
      this.#oob = enable.includes('oob');
      return { result: {}, command: undefined };
    }
    const command = this.commands.find((c) => c.name === name && (c.available?.(this.ctx) ?? true))!;
    checkArgs(args, command.args, command.rest);
    return { result: command.run(this.ctx, args), command };
  }
}

/** Events without members (STOP, RESUME) carry no `data` at all, as QEMU sends them. */
export function eventMessage(e: StampedEvent): QmpMessage {
  const empty = Object.keys(e.data).length === 0;
  return { timestamp: timestamp(e.at), event: e.event, ...(empty ? {} : { data: e.data }) };
}
