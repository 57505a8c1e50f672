/**
 * QEMU's first pass over the arguments (softmmu/vl.c lookup_opt): `-opt` or `--opt` among the
 * release's options, an argument when the option takes one, and QEMU's two errors for everything
 * else. The result keeps each option with the
 * text QEMU uses as its error location (`-device virtio-mem-pci,id=vm0`).
 */
import { HotmemError, type Warning } from '../../core/errors.js';
import type { Release } from '../../core/release.js';
import { qemuOption } from './option-syntax.js';

/** A warning about one option; `timestamped` when an earlier -msg timestamp=on was in effect. */
export type OptionWarning = Warning & { readonly location: string; readonly timestamped?: boolean };

export interface CommandLineOption {
  readonly name: string;
  readonly arg: string | undefined;
  /** QEMU's location prefix for messages about this option. */
  readonly location: string;
}

/** A command-line error, printed by QEMU as `<prog>: <location>: <message>`. */
export class CommandLineError extends HotmemError {
  constructor(
    message: string,
    readonly location: string | undefined,
    /** Warnings QEMU printed before it gave up (short-form booleans of the failing option). */
    readonly warningsBefore: ReadonlyArray<OptionWarning> = [],
    /** An earlier -msg timestamp=on makes QEMU print the time before the message. */
    readonly timestamps = false,
  ) {
    super('cmdline.invalid', message, { location });
  }

  timestamped(on: boolean): CommandLineError {
    return on === this.timestamps ? this : new CommandLineError(this.message, this.location, this.warningsBefore, on);
  }
}

export function parseArgv(argv: readonly string[], r: Release): CommandLineOption[] {
  const options: CommandLineOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) {
      throw new CommandLineError(`hotmem does not model disk images given as plain arguments ('${word}')`, undefined);
    }
    const name = word.startsWith('--') ? word.slice(2) : word.slice(1);
    const option = qemuOption(name, r);
    if (option === undefined) throw new CommandLineError('invalid option', word);
    if (!option.arg) {
      options.push({ name, arg: undefined, location: word });
      continue;
    }
    const arg = argv[i + 1];
    if (arg === undefined) throw new CommandLineError('requires an argument', word);
    options.push({ name, arg, location: `${word} ${arg}` });
    i++;
  }
  return options;
}
