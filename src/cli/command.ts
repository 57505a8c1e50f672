/**
 * The shape of a `hotmem` subcommand. Commands write through an injected sink so tests can run
 * them in-process, and return the exit status: 0 success, 1 error, 2 usage.
 */
import type { Readable, Writable } from 'node:stream';
import type { PreparedMachines } from '../machine/prepared.js';
import type { PreparedStart } from './qemu-process.js';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Raw streams: stdin for commands that converse (a QMP server on stdio, a batch from -), stdout to tell a terminal. */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /**
   * The whole of standard input where it is known before the command runs (a `--batch`
   * invocation's commands), as text that reaches the conversation in UTF-8: it reads it as one
   * chunk followed by its end, and writes through `out`, without streams.
   */
  readonly input?: string;
  /**
   * False where the command runs inside another that owns the process (a `--batch`
   * invocation): the process's terminating signals are then not the command's to turn into a
   * VM shutdown, as `hotmem qemu` does otherwise.
   */
  readonly processSignals?: false;
  /**
   * Where a `--batch` invocation borrows the machine prepared for its arguments: given only to an
   * invocation whose commands all leave the machine alone.
   */
  readonly machines?: PreparedMachines<PreparedStart>;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

export interface Command {
  readonly name: string;
  /** One line for `hotmem --help`. */
  readonly summary: string;
  /** The full `hotmem <name> --help` text. */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number> | number;
}

/** What `hotmem --help` and `hotmem <name> --help` print, without the code that runs the command. */
export type CommandInfo = Omit<Command, 'run'>;

/**
 * A command whose module loads when it first runs, so a start evaluates only the command it runs;
 * later runs (a batch runs `qemu` once per invocation) use what the first one loaded.
 */
export function lazyCommand(info: CommandInfo, load: () => Promise<Command>): Command {
  let loaded: Promise<Command> | undefined;
  return {
    ...info,
    run: async (args, io) => (await (loaded ??= load())).run(args, io),
  };
}

/** A usage mistake: the command prints the message and its usage, exiting 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
