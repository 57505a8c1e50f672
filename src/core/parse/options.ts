/**
 * QEMU's option syntax (util/qemu-option.c): `value-of-implied-key,key=value,key=value`, where a
 * comma inside a value is written `,,`, a bare `key` means `key=on`, a bare `nokey` means
 * `key=off` (both deprecated, with a warning), and `help` or `?` asks for help.
 */
import type { Warning } from '../errors.js';

export interface ParsedOption {
  readonly key: string;
  readonly value: string;
}

export interface ParsedOptions {
  /** Every key=value in the order written (later duplicates win when read with `get`). */
  readonly entries: readonly ParsedOption[];
  readonly helpRequested: boolean;
  readonly warnings: readonly Warning[];
}

/** Splits on single commas; `,,` is a literal comma. */
export function splitOptions(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ',') {
      if (text[i + 1] === ',') {
        current += ',';
        i++;
        continue;
      }
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

/**
 * Parses an option string. `impliedKey` is the key a leading bare value belongs to (`driver` for
 * -device, `qom-type` for -object, `type` for -machine, `size` for -m).
 */
export function parseOptions(text: string, impliedKey?: string): ParsedOptions {
  const entries: ParsedOption[] = [];
  const warnings: Warning[] = [];
  let helpRequested = false;
  splitOptions(text).forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq >= 0) {
      entries.push({ key: part.slice(0, eq), value: part.slice(eq + 1) });
      return;
    }
    if (part === 'help' || part === '?') {
      helpRequested = true;
      return;
    }
    if (index === 0 && impliedKey !== undefined) {
      entries.push({ key: impliedKey, value: part });
      return;
    }
    if (part === '') return;
    const negated = part.startsWith('no');
    const key = negated ? part.slice(2) : part;
    const value = negated ? 'off' : 'on';
    warnings.push({
      code: 'options.short-form-boolean',
      message: `short-form boolean option '${part}' deprecated\nPlease use ${key}=${value} instead`,
    });
    entries.push({ key, value });
  });
  return { entries, helpRequested, warnings };
}

/** The last value written for `key`, as QemuOpts' qemu_opt_get returns it. */
export function optionValue(options: ParsedOptions, key: string): string | undefined {
  for (let i = options.entries.length - 1; i >= 0; i--) {
    if (options.entries[i]!.key === key) return options.entries[i]!.value;
  }
  return undefined;
}
