/**
 * A small option reader for hotmem's own subcommands (QEMU-style arguments are parsed by the
 * qemu front end, not here). Unknown options are usage errors, never ignored.
 */
import { UsageError } from './command.js';

export interface OptionSpec {
  readonly name: string;
  readonly takesValue: boolean;
  readonly choices?: readonly string[];
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

export function parseArgs(args: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(`unknown option '--${name}'`);
    if (!spec.takesValue) {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      options.set(name, true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option '--${name}' needs a value`);
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`option '--${name}' must be one of ${spec.choices.join(', ')} (got '${value}')`);
    }
    options.set(name, value);
  }
  return { options, positionals };
}
