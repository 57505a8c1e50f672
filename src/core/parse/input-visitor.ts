/**
 * QEMU parses a property value with one of three input visitors depending on where the text came
 * from, and each words its errors differently (qapi/qobject-input-visitor.c keyval mode,
 * qapi/string-input-visitor.c, qapi/opts-visitor.c). Users compare these messages with real QEMU,
 * so the entry point is part of the input.
 */
import { HotmemError } from '../errors.js';
import { compareReleases, type Release } from '../release.js';
import { parseBool, parseEnum, parseInt64, parseUint64, type Parsed } from './scalars.js';
import { parseSize, sizeDialect } from './size.js';
import type { Warning } from '../errors.js';

/** Where a textual value came from. */
export type InputVisitor =
  /** -device / device_add key=value (keyval → qobject input visitor). */
  | 'keyval'
  /** -global, machine compat properties, object_property_parse. */
  | 'string'
  /** -object key=value (QemuOpts → opts visitor). */
  | 'opts';

/** The scalar shapes a textual value can be parsed into. */
export type ScalarKind =
  | { readonly kind: 'bool' }
  | { readonly kind: 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int32' | 'int64' }
  | { readonly kind: 'size' }
  | { readonly kind: 'str' }
  | { readonly kind: 'enum'; readonly typeName: string; readonly values: readonly string[] };

export type ScalarValue = boolean | number | string;

const UNSIGNED_BITS = { uint8: 8n, uint16: 16n, uint32: 32n, uint64: 64n } as const;
const SIGNED_BITS = { int32: 32n, int64: 64n } as const;

function invalid(name: string, expects: string): HotmemError {
  return new HotmemError('parse.invalid-parameter-value', `Parameter '${name}' expects ${expects}`, { name, expects });
}

/**
 * input_type_enum's refusal of a QAPI enum value: from 6.2 (ea29331ba6) it names the member and
 * the value; before, only the value, as QERR_INVALID_PARAMETER.
 */
export function enumValueMessage(release: Release, name: string, value: string): string {
  return compareReleases(release, { major: 6, minor: 2 }) >= 0 ? `Parameter '${name}' does not accept value '${value}'` : `Invalid parameter '${value}'`;
}

/**
 * A value QEMU accepts that a JavaScript number cannot hold exactly. It carries the exact value,
 * so a property whose own checks refuse every such value can answer with QEMU's message
 * (PropertyDef.refuseBeyondModel).
 */
export class BeyondModelRange extends HotmemError {
  constructor(
    name: string,
    readonly exact: bigint,
  ) {
    super('parse.beyond-model-range', `Parameter '${name}': value 0x${exact.toString(16)} is valid for QEMU but beyond hotmem's modelled range (2^53)`, {
      name,
    });
  }
}

/** Byte sizes and integers live as JavaScript numbers; anything past 2^53 is out of the model's range. */
function toSafeNumber(name: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new BeyondModelRange(name, value);
  return Number(value);
}

function sizeFailure(visitor: InputVisitor, name: string, text: string, errno: 'EINVAL' | 'ERANGE'): HotmemError {
  switch (visitor) {
    case 'keyval':
      return invalid(name, 'size');
    case 'opts':
      return invalid(name, 'a size value');
    case 'string':
      if (errno === 'ERANGE') {
        return new HotmemError('parse.out-of-range', `Value '${text}' is out of range for parameter '${name}'`, { name });
      }
      return new HotmemError(
        'parse.invalid-parameter-value',
        `Parameter '${name}' expects a non-negative number below 2^64\n` +
          'Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.',
        { name },
      );
    default: {
      const exhaustive: never = visitor;
      return exhaustive;
    }
  }
}

function integerFailure(visitor: InputVisitor, name: string, kind: keyof typeof UNSIGNED_BITS | keyof typeof SIGNED_BITS): HotmemError {
  if (visitor === 'keyval') return invalid(name, 'integer');
  return invalid(name, kind === 'int32' || kind === 'int64' ? 'int64' : 'uint64');
}

export interface ParsedScalar {
  readonly value: ScalarValue;
  readonly warnings: readonly Warning[];
}

/** Parses `text` for property `name` as QEMU would from the given entry point; throws QEMU's message. */
export function parseScalar(kind: ScalarKind, name: string, text: string, visitor: InputVisitor, r: Release): ParsedScalar {
  const plain = (value: ScalarValue): ParsedScalar => ({ value, warnings: [] });
  switch (kind.kind) {
    case 'bool': {
      const parsed = parseBool(text, r);
      if (!parsed.ok) throw invalid(name, "'on' or 'off'");
      return plain(parsed.value);
    }
    case 'enum': {
      const parsed = parseEnum(text, kind.values);
      if (!parsed.ok) {
        const message = enumValueMessage(r, name, text);
        throw new HotmemError('parse.enum-value', message, { name, text });
      }
      return plain(parsed.value);
    }
    case 'str':
      return plain(text);
    case 'size': {
      const parsed = parseSize(text, sizeDialect(r));
      if (!parsed.ok) throw sizeFailure(visitor, name, text, parsed.errno);
      const warnings: Warning[] = parsed.deprecatedHexSuffix
        ? [{ code: 'parse.hex-suffix-deprecated', message: `Using a multiplier suffix on hex numbers is deprecated: ${text}` }]
        : [];
      return { value: toSafeNumber(name, parsed.value), warnings };
    }
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'uint64': {
      const parsed: Parsed<bigint> = parseUint64(text);
      if (!parsed.ok) throw integerFailure(visitor, name, kind.kind);
      // visit_type_uintN: the narrower types are range-checked after a 64-bit parse.
      if (parsed.value >= 1n << UNSIGNED_BITS[kind.kind]) throw invalid(name, `${kind.kind}_t`);
      return plain(toSafeNumber(name, parsed.value));
    }
    case 'int32':
    case 'int64': {
      const parsed = parseInt64(text);
      if (!parsed.ok) throw integerFailure(visitor, name, kind.kind);
      const bits = SIGNED_BITS[kind.kind];
      if (parsed.value < -(1n << (bits - 1n)) || parsed.value >= 1n << (bits - 1n)) throw invalid(name, `${kind.kind}_t`);
      return plain(toSafeNumber(name, parsed.value));
    }
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}
