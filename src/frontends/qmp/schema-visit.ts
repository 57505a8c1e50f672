/**
 * The QObject input visitor (qapi/qobject-input-visitor.c) driven by a release's introspected
 * QAPI schema (query-qmp-schema, compat/qmp-schema/): checks a command's arguments, given as JSON
 * or as a keyval dictionary of strings (keyval mode, which parses each scalar by its type), the
 * way the generated visitors do, with QEMU's messages. Members are visited in schema order, a
 * missing mandatory one is reported when reached, variant members after the base, and a member
 * nobody visited last.
 */
import { HotmemError } from '../../core/errors.js';
import { enumValueMessage } from '../../core/parse/input-visitor.js';
import { parseBool, parseInt64, parseUint64 } from '../../core/parse/scalars.js';
import { parseSize, sizeDialect } from '../../core/parse/size.js';
import type { Release } from '../../core/release.js';

/** One entry of query-qmp-schema, as far as the visitor reads it. */
export interface SchemaEntry {
  readonly name: string;
  readonly 'meta-type': string;
  readonly 'json-type'?: string;
  readonly members?: ReadonlyArray<{ readonly name?: string; readonly type?: string; readonly default?: null }>;
  /** An enum's values before 6.2 (from then on also its `members`, which carry features). */
  readonly values?: readonly string[];
  readonly tag?: string;
  readonly variants?: ReadonlyArray<{ readonly case: string; readonly type: string }>;
  readonly 'element-type'?: string;
  readonly 'arg-type'?: string;
}

/** A keyval dictionary: strings, nested dictionaries (dotted keys), nothing else. */
export interface KeyvalDict {
  readonly [key: string]: string | KeyvalDict;
}

export type VisitInput = { readonly kind: 'json'; readonly value: Record<string, unknown> } | { readonly kind: 'keyval'; readonly value: KeyvalDict };

const missing = (name: string) => new HotmemError('qapi.missing', `Parameter '${name}' is missing`, { name });
const wrongType = (name: string, expected: string) =>
  new HotmemError('qapi.invalid-type', `Invalid parameter type for '${name}', expected: ${expected}`, { name, expected });
const badValue = (name: string, expects: string) => new HotmemError('qapi.invalid-value', `Parameter '${name}' expects ${expects}`, { name, expects });

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int8: [-(1n << 7n), (1n << 7n) - 1n],
  int16: [-(1n << 15n), (1n << 15n) - 1n],
  int32: [-(1n << 31n), (1n << 31n) - 1n],
  int64: [-(1n << 63n), (1n << 63n) - 1n],
  int: [-(1n << 63n), (1n << 63n) - 1n],
  uint8: [0n, (1n << 8n) - 1n],
  uint16: [0n, (1n << 16n) - 1n],
  uint32: [0n, (1n << 32n) - 1n],
  uint64: [0n, (1n << 64n) - 1n],
};

/** A release's schema, indexed by (masked) type name. */
export class SchemaVisitor {
  readonly #types: ReadonlyMap<string, SchemaEntry>;

  constructor(
    schema: readonly unknown[],
    private readonly release: Release,
  ) {
    this.#types = new Map((schema as SchemaEntry[]).map((e) => [e.name, e]));
  }

  /** The argument type of a command, undefined when the release has no such command. */
  argType(command: string): string | undefined {
    return this.#types.get(command)?.['arg-type'];
  }

  #type(name: string): SchemaEntry {
    const entry = this.#types.get(name);
    if (!entry) throw new Error(`internal: the QMP schema has no type ${name}`);
    return entry;
  }

  /** Checks `input` against object type `type`; returns the visited value (keyval scalars parsed). */
  visitObject(type: string, input: VisitInput): Record<string, unknown> {
    return this.#object(type, input.value, input.kind, '');
  }

  #object(type: string, value: unknown, mode: VisitInput['kind'], prefix: string): Record<string, unknown> {
    const entry = this.#type(type);
    const name = prefix.replace(/\.$/, '');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType(name, 'object');
    const dict = value as Record<string, unknown>;
    const visited = new Set<string>();
    const out: Record<string, unknown> = {};
    const visitMembers = (e: SchemaEntry) => {
      for (const member of e.members ?? []) {
        const key = member.name!;
        if (!(key in dict)) {
          if (!('default' in member)) throw missing(`${prefix}${key}`);
          continue;
        }
        visited.add(key);
        out[key] = this.#value(member.type!, dict[key], mode, `${prefix}${key}`);
      }
    };
    visitMembers(entry);
    if (entry.tag !== undefined) {
      const variant = entry.variants?.find((v) => v.case === out[entry.tag!]);
      if (variant) visitMembers(this.#type(variant.type));
    }
    const unexpected = Object.keys(dict).find((k) => !visited.has(k));
    if (unexpected !== undefined)
      throw new HotmemError('qapi.unexpected', `Parameter '${prefix}${unexpected}' is unexpected`, { name: `${prefix}${unexpected}` });
    return out;
  }

  #value(type: string, value: unknown, mode: VisitInput['kind'], name: string): unknown {
    const entry = this.#type(type);
    switch (entry['meta-type']) {
      case 'object':
        return this.#object(type, value, mode, `${name}.`);
      case 'enum': {
        if (typeof value !== 'string') throw wrongType(name, 'string');
        if (!(entry.values ?? (entry.members ?? []).map((m) => m.name)).includes(value)) {
          throw new HotmemError('qapi.enum-value', enumValueMessage(this.release, name, value), { name, value });
        }
        return value;
      }
      case 'alternate':
        return this.#alternate(entry, value, mode, name);
      case 'builtin':
        return mode === 'keyval' ? this.#keyvalScalar(entry.name, value, name) : this.#jsonScalar(entry, value, name);
      default:
        throw new HotmemError('qapi.unmodelled', `hotmem does not check QAPI ${entry['meta-type']} values (parameter '${name}')`, { name });
    }
  }

  /**
   * qobject_input_start_alternate: the branch whose JSON type the value has. A keyval value is a
   * string or a dictionary: a string takes the alternate's string branch.
   */
  #alternate(entry: SchemaEntry, value: unknown, mode: VisitInput['kind'], name: string): unknown {
    const jsonType = (t: string) => {
      const branch = this.#type(t);
      return branch['meta-type'] === 'builtin' ? branch['json-type'] : branch['meta-type'] === 'enum' ? 'string' : branch['meta-type'];
    };
    const actual =
      value === null ? 'null' : typeof value === 'string' ? 'string' : typeof value === 'object' && !Array.isArray(value) ? 'object' : typeof value;
    const branch = (entry.members ?? []).find((m) => jsonType(m.type!) === actual || (actual === 'number' && jsonType(m.type!) === 'int'));
    if (!branch) {
      // QEMU names the alternate's QAPI type, which introspection hides behind a number.
      throw new HotmemError('qapi.unmodelled', `hotmem cannot check parameter '${name}': its value fits none of the alternate's types`, { name });
    }
    return this.#value(branch.type!, value, mode, name);
  }

  /** The keyval visitor's scalar parsers (qobject_input_type_*_keyval). */
  #keyvalScalar(builtin: string, value: unknown, name: string): unknown {
    if (typeof value !== 'string') throw wrongType(name, builtin === 'str' ? 'string' : 'scalar');
    const range = INT_RANGES[builtin];
    if (range) {
      const parsed = builtin.startsWith('u') ? parseUint64(value) : parseInt64(value);
      if (!parsed.ok) throw badValue(name, 'integer');
      if (parsed.value < range[0] || parsed.value > range[1]) throw badValue(name, builtin === 'int' ? 'int64_t' : `${builtin}_t`);
      return parsed.value;
    }
    switch (builtin) {
      case 'str':
        return value;
      case 'bool': {
        const parsed = parseBool(value, this.release);
        if (!parsed.ok) throw badValue(name, "'on' or 'off'");
        return parsed.value;
      }
      case 'size': {
        const parsed = parseSize(value, sizeDialect(this.release));
        if (!parsed.ok) throw badValue(name, 'size');
        return parsed.value;
      }
      default:
        throw new HotmemError('qapi.unmodelled', `hotmem does not check keyval values of QAPI type ${builtin} (parameter '${name}')`, { name });
    }
  }

  /** The JSON visitor's checks: the QObject's type first, then the range. */
  #jsonScalar(entry: SchemaEntry, value: unknown, name: string): unknown {
    const range = INT_RANGES[entry.name];
    if (range || entry.name === 'size') {
      const exact = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
      if (exact === undefined) throw wrongType(name, 'integer');
      if (range && (exact < range[0] || exact > range[1])) throw badValue(name, entry.name === 'int' ? 'int64_t' : `${entry.name}_t`);
      return exact;
    }
    const expected = entry['json-type'];
    const actual =
      typeof value === 'string'
        ? 'string'
        : typeof value === 'boolean'
          ? 'boolean'
          : value === null
            ? 'null'
            : typeof value === 'number'
              ? 'number'
              : undefined;
    if (expected === 'value') return value;
    if (actual !== expected) throw wrongType(name, expected === 'boolean' ? 'boolean' : (expected ?? 'value'));
    return value;
  }
}
