/**
 * QEMU's argument loop (softmmu/vl.c lookup_opt): `-opt` or `--opt`, an argument when the option
 * takes one, and QEMU's two errors for everything else. The result keeps each option with the
 * text QEMU uses as its error location (`-device virtio-mem-pci,id=vm0`).
 */
import { HotmemError, type Warning } from '../../core/errors.js';

/** The options hotmem models, and whether each takes an argument. */
export const QEMU_OPTIONS: Readonly<Record<string, boolean>> = {
  machine: true,
  M: true,
  m: true,
  smp: true,
  numa: true,
  object: true,
  device: true,
  global: true,
  accel: true,
  'enable-kvm': false,
  nodefaults: false,
  nographic: false,
  display: true,
  S: false,
  incoming: true,
  qmp: true,
  'qmp-pretty': true,
  'no-user-config': false,
};

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
    readonly warningsBefore: ReadonlyArray<Warning & { readonly location: string }> = [],
  ) {
    super('cmdline.invalid', message, { location });
  }
}

export function parseArgv(argv: readonly string[]): CommandLineOption[] {
  const options: CommandLineOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) {
      throw new CommandLineError(`hotmem does not model disk images given as plain arguments ('${word}')`, undefined);
    }
    const name = word.startsWith('--') ? word.slice(2) : word.slice(1);
    const takesArg = QEMU_OPTIONS[name];
    if (takesArg === undefined) throw new CommandLineError('invalid option', word);
    if (!takesArg) {
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
