/**
 * The published JSON schema (machine-definition.schema.json, beside this file in the package)
 * and the translation of its validation errors into positioned problems: unknown keys with a
 * suggestion, missing keys, and values described the way users think of them ("a size",
 * "a QEMU release in quotes") rather than as regular expressions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvClass } from '../../core/on-demand.js';
import { packageRoot } from '../../core/package-root.js';
import { problem, type DefinitionProblem } from './errors.js';
import { displayLabel, pointerSegment, type SourceTree } from './source-tree.js';
import { suggest, suggestKey } from './suggest.js';

/** Where the schema file sits, relative to the package root. */
export const SCHEMA_PATH = 'src/frontends/yaml/machine-definition.schema.json';

/** The part of a JSON schema this module reads. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
  readonly enum?: readonly unknown[];
  readonly maxProperties?: number;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface DefinitionSchema {
  /** The schema document as published. */
  readonly json: SchemaNode;
  readonly validate: ValidateFunction;
}

/** Reads and compiles the schema (ajv strict mode: a schema mistake fails here, not silently). */
export function readDefinitionSchema(): DefinitionSchema {
  const json = JSON.parse(readFileSync(join(packageRoot(), SCHEMA_PATH), 'utf8')) as SchemaNode;
  // verbose: errors then carry their schema node, which holds the allowed keys for suggestions.
  const Ajv = ajvClass();
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  return { json, validate: ajv.compile(json) };
}

/**
 * What the values of a named definition are, in words. A test holds every name here to a
 * definition in the schema.
 */
export const EXPECTED_BY_DEFINITION: Readonly<Record<string, string>> = {
  size: 'a size (bytes as a number, QEMU notation such as 1G or 1.5G, or libvirt units such as 4 GiB or 1GB)',
  release: 'a QEMU release in quotes, such as "7.2"',
  'host-kernel': 'a host kernel name such as linux-6.1',
  'guest-kernel': 'a Linux version in quotes, such as "6.1"',
  identifier: 'an id or QOM path',
  'property-value': 'text, a number or true/false (write lists as QEMU text, e.g. "0-1")',
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
};

function describeTypes(type: string | readonly string[] | undefined): string {
  const types = type === undefined ? [] : typeof type === 'string' ? [type] : type;
  const words = types.map((t) => TYPE_WORDS[t] ?? t);
  return words.length <= 1 ? (words[0] ?? 'something else') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
}

/** The value as the user wrote it: scalars as in the file, collections by kind. */
function describeFound(value: unknown, source: string | undefined): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return `the number ${source ?? String(value)}`;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- maps and lists are described above; what is left is a scalar
  return String(value);
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function definitionName(schema: DefinitionSchema, node: unknown): string | undefined {
  return Object.entries(schema.json.definitions ?? {}).find(([, def]) => def === node)?.[0];
}

/** The definition's problems against the schema, or none. */
export function schemaProblems(tree: SourceTree, schema: DefinitionSchema): DefinitionProblem[] {
  if (schema.validate(tree.value)) return [];
  const errors = schema.validate.errors ?? [];
  const unknownKeyAt = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  return errors.flatMap((e) => translate(e, tree, schema, unknownKeyAt));
}

function translate(e: ErrorObject, tree: SourceTree, schema: DefinitionSchema, unknownKeyAt: ReadonlySet<string>): DefinitionProblem[] {
  const span = tree.spans.get(e.instancePath);
  const at = displayLabel(span?.label ?? '');
  const valuePlace = { position: tree.position(span?.valueOffset ?? 0), pointer: e.instancePath };
  const parent = e.parentSchema as SchemaNode | undefined;
  const allowedKeys = Object.keys(parent?.properties ?? {});
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const pointer = `${e.instancePath}/${pointerSegment(key)}`;
      const child = tree.spans.get(pointer);
      const suggestion = suggestKey(key, allowedKeys);
      return [
        problem(
          'definition.unknown-key',
          { key, at, ...(suggestion === undefined ? {} : { suggestion }) },
          {
            position: tree.position(child?.keyOffset ?? child?.valueOffset ?? 0),
            pointer,
            key,
          },
        ),
      ];
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      // In an open map (device properties) a misspelt required key is accepted as a property:
      // name the misspelling rather than only the absence.
      const present = Object.keys(valueAt(tree.value, e.instancePath) as object).filter((k) => !allowedKeys.includes(k));
      const misspelt = present.find((k) => suggestKey(k, [key]) !== undefined);
      if (misspelt === undefined) return [problem('definition.missing-key', { key, at }, { ...valuePlace, key })];
      // A closed map reports the misspelling as an unknown key already.
      if (unknownKeyAt.has(e.instancePath)) return [];
      const pointer = `${e.instancePath}/${pointerSegment(misspelt)}`;
      const child = tree.spans.get(pointer);
      return [
        problem('definition.unknown-key', { key: misspelt, at, suggestion: key }, { position: tree.position(child?.keyOffset ?? 0), pointer, key: misspelt }),
      ];
    }
    case 'maxProperties':
      // An unknown key already explains a map with one key too many.
      if (unknownKeyAt.has(e.instancePath)) return [];
      return [problem('definition.one-key', { at, keys: allowedKeys, found: Object.keys(valueAt(tree.value, e.instancePath) as object) }, valuePlace)];
    case 'minProperties':
      return [
        parent?.maxProperties === 1
          ? problem('definition.one-key', { at, keys: allowedKeys, found: [] }, valuePlace)
          : problem('definition.empty-map', { at, keys: allowedKeys }, valuePlace),
      ];
    default:
      return [badValue(e, tree, schema, at, valuePlace)];
  }
}

function badValue(
  e: ErrorObject,
  tree: SourceTree,
  schema: DefinitionSchema,
  at: string,
  place: { readonly position: ReturnType<SourceTree['position']>; readonly pointer: string },
): DefinitionProblem {
  const parent = e.parentSchema as SchemaNode;
  const value = valueAt(tree.value, e.instancePath);
  const source = tree.spans.get(e.instancePath)?.source;
  const named = definitionName(schema, parent);
  const range = e.keyword === 'minimum' || e.keyword === 'maximum';
  // A named definition says what its values are, except for numeric bounds, which say the bound.
  let expected = named === undefined || range ? undefined : EXPECTED_BY_DEFINITION[named];
  let suggestion: string | undefined;
  if (expected === undefined) {
    switch (e.keyword) {
      case 'enum': {
        const values = (parent.enum ?? []).map(String);
        expected = `one of ${values.join(', ')}`;
        if (typeof value === 'string') suggestion = suggest(value, values);
        break;
      }
      case 'minimum':
        expected = `at least ${parent.minimum ?? 0}`;
        break;
      case 'maximum':
        expected = parent.maximum === Number.MAX_SAFE_INTEGER ? 'at most 2^53 - 1' : `at most ${parent.maximum ?? 0}`;
        break;
      case 'minLength':
        expected = 'non-empty text';
        break;
      case 'type':
        expected = describeTypes(parent.type);
        break;
      default:
        expected = `valid (${e.message ?? e.keyword})`;
    }
  }
  // YAML reads unquoted 7.10 as the number 7.1, and numbers past 2^53 lose digits: where text
  // is accepted, quoting keeps the value as written.
  const quoting = typeof value === 'number' && (parent.type === 'string' || (range && named === 'property-value'));
  const hint = quoting ? `write it in quotes: "${source ?? String(value)}"` : undefined;
  return problem(
    'definition.bad-value',
    { at, expected, found: describeFound(value, source), ...(suggestion === undefined ? {} : { suggestion }), ...(hint === undefined ? {} : { hint }) },
    place,
  );
}
