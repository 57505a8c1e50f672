/**
 * One error hierarchy for the whole framework. Every error carries a stable string code (public
 * API: never renamed silently) and, where QEMU prints a message for the same situation, QEMU's
 * exact text, so users can paste it into a search and find the real thing.
 */
export class HotmemError extends Error {
  override readonly name = 'HotmemError';

  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** A warning QEMU would print with warn_report(); collected, never printed by model code. */
export interface Warning {
  readonly code: string;
  readonly message: string;
  /** QEMU reports it with error_report (no "warning: " prefix) though it goes on. */
  readonly reportedAsError?: true;
}

type MessageTable = Record<string, (args: never) => string>;

/** The argument object a table entry's template takes. */
export type ArgsOf<T extends MessageTable, C extends keyof T> = Parameters<T[C]>[0];

/**
 * Declares a module's error codes with their message templates side by side, and returns a
 * typed factory. Keeping the template beside the code means a test of the table is a test of
 * every message a user can see.
 */
export function defineErrors<T extends MessageTable>(table: T) {
  return {
    table,
    error<C extends keyof T & string>(code: C, ...args: Parameters<T[C]>): HotmemError {
      const template = table[code] as (...a: Parameters<T[C]>) => string;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a template without arguments leaves args empty, whatever Parameters<> says
      return new HotmemError(code, template(...args), args[0] ?? {});
    },
    warning<C extends keyof T & string>(code: C, ...args: Parameters<T[C]>): Warning {
      const template = table[code] as (...a: Parameters<T[C]>) => string;
      return { code, message: template(...args) };
    },
  };
}

export function isHotmemError(e: unknown, code?: string): e is HotmemError {
  return e instanceof HotmemError && (code === undefined || e.code === code);
}
