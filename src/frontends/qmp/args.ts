/**
 * QAPI argument checking for QMP commands (qapi/qobject-input-visitor.c): members are checked in
 * schema order, a missing mandatory one and an unknown one are errors, and each has a type.
 */
import { BeyondModelRange, enumValueMessage } from '../../core/parse/input-visitor.js';
import type { Release } from '../../core/release.js';
import { missingParameter, parameterType, QmpError, unexpectedParameter } from './errors.js';

export type ArgType = 'str' | 'int' | 'bool' | 'any' | 'object' | 'array';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly optional?: boolean;
}

const INT64_MAX = (1n << 63n) - 1n;

export type QmpArgs = Readonly<Record<string, unknown>>;

const EXPECTED: Readonly<Record<Exclude<ArgType, 'any'>, string>> = { str: 'string', int: 'integer', bool: 'boolean', object: 'object', array: 'array' };

function matches(type: ArgType, value: unknown): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'str':
      return typeof value === 'string';
    case 'int':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'bigint' && value <= INT64_MAX);
    case 'bool':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default: {
      const exhaustive: never = type;
      return exhaustive;
    }
  }
}

/**
 * Checks `args` against `specs`. With `rest` the command takes further members it interprets
 * itself (device_add's properties, object-add's), as QAPI's 'gen': false and 'boxed' commands do.
 */
export function checkArgs(args: QmpArgs, specs: readonly ArgSpec[], rest = false, path = ''): void {
  for (const spec of specs) {
    const value = args[spec.name];
    if (value === undefined) {
      if (!spec.optional) throw missingParameter(`${path}${spec.name}`);
      continue;
    }
    if (!matches(spec.type, value)) throw parameterType(`${path}${spec.name}`, EXPECTED[spec.type as Exclude<ArgType, 'any'>]);
    // An int64 QEMU takes but a number cannot hold: the commands work on numbers.
    if (spec.type === 'int' && typeof value === 'bigint') throw new BeyondModelRange(`${path}${spec.name}`, value);
  }
  if (rest) return;
  for (const name of Object.keys(args)) {
    if (!specs.some((s) => s.name === name)) throw unexpectedParameter(`${path}${name}`);
  }
}

/** A QAPI enum member: QEMU names only the member, not its path, when the value is unknown. */
export function checkEnum(release: Release, name: string, value: unknown, members: readonly string[], path = ''): string {
  if (typeof value !== 'string') throw value === undefined ? missingParameter(`${path}${name}`) : parameterType(`${path}${name}`, 'string');
  if (!members.includes(value)) throw new QmpError('GenericError', enumValueMessage(release, name, value));
  return value;
}
