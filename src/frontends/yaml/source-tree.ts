/**
 * YAML text → a plain JSON value plus, for every JSON pointer in it, where its key and value
 * were written. The schema validator reports JSON pointers; this map turns them back into lines
 * and columns.
 *
 * The conversion is done here rather than by the yaml package's toJS() because a definition is
 * JSON data: YAML features that produce anything else (collection keys, !!timestamp and other
 * tags making non-JSON values, self-referencing aliases, alias bombs, %YAML 1.1 where `on` is a
 * boolean) become positioned problems instead of odd values or exceptions.
 */
import type { Document, Node, Pair } from 'yaml';
import { yamlLibrary } from '../../core/on-demand.js';
import { problem, type DefinitionProblem, type SourcePosition } from './errors.js';

/** Where one value of the tree was written. Offsets are into the file's text. */
export interface NodeSpan {
  /** The value's path as users write it: `devices[0].requested-size`. */
  readonly label: string;
  /** Offset of the key, for values in maps. */
  readonly keyOffset: number | undefined;
  readonly valueOffset: number;
  /** The scalar exactly as written (`7.10`), for messages about scalars YAML read differently. */
  readonly source: string | undefined;
}

export interface SourceTree {
  readonly file: string;
  readonly value: unknown;
  readonly spans: ReadonlyMap<string, NodeSpan>;
  readonly problems: readonly DefinitionProblem[];
  readonly position: (offset: number) => SourcePosition;
}

/** Nesting beyond this is no machine definition; the limit keeps recursion bounded. */
export const MAX_DEPTH = 64;
/** Values produced in total, aliases expanded: stops alias bombs ("billion laughs"). */
export const MAX_VALUES = 100_000;

/** Pointer segments escape `~` and `/` (RFC 6901), as ajv's instancePath does. */
export const pointerSegment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

const IDENTIFIER_KEY = /^[A-Za-z0-9_-]+$/;

/** `devices[0]`, `machine.memory`, `machine.properties["a b"]`; the document itself is "the top level". */
export function childLabel(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const part = IDENTIFIER_KEY.test(key) ? key : JSON.stringify(key);
  if (parent === '') return part;
  return IDENTIFIER_KEY.test(key) ? `${parent}.${part}` : `${parent}[${part}]`;
}

export const displayLabel = (label: string): string => (label === '' ? 'the top level' : label);

class Converter {
  readonly spans = new Map<string, NodeSpan>();
  readonly problems: DefinitionProblem[] = [];
  readonly yaml = yamlLibrary();
  #values = 0;
  #budgetReported = false;

  constructor(
    readonly doc: Document.Parsed,
    readonly text: string,
    readonly position: (offset: number) => SourcePosition,
  ) {}

  report(detail: string, offset: number, pointer: string): void {
    this.problems.push(problem('definition.yaml-unsupported', { detail }, { position: this.position(offset), pointer }));
  }

  record(pointer: string, label: string, keyOffset: number | undefined, node: unknown, fallbackOffset: number): void {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const source = this.yaml.isScalar(node) && range ? this.text.slice(range[0], range[1]) : undefined;
    this.spans.set(pointer, { label, keyOffset, valueOffset: range?.[0] ?? fallbackOffset, source });
  }

  convert(node: unknown, pointer: string, label: string, depth: number, aliases: readonly Node[]): unknown {
    if (node === null || node === undefined) return null;
    const offset = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
    if (++this.#values > MAX_VALUES) {
      if (!this.#budgetReported) this.report(`the document expands to more than ${MAX_VALUES} values (aliases included)`, offset, pointer);
      this.#budgetReported = true;
      return null;
    }
    if (depth > MAX_DEPTH) {
      this.report(`${displayLabel(label)} is nested more than ${MAX_DEPTH} levels deep`, offset, pointer);
      return null;
    }
    if (this.yaml.isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) {
        this.report(`alias *${node.source} has no anchor &${node.source} before it`, offset, pointer);
        return null;
      }
      if (aliases.includes(target)) {
        this.report(`alias *${node.source} refers to a value that contains it`, offset, pointer);
        return null;
      }
      return this.convert(target, pointer, label, depth + 1, [...aliases, target]);
    }
    if (this.yaml.isScalar(node)) {
      const value: unknown = node.value;
      if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
      if (typeof value === 'number') {
        if (Number.isFinite(value)) return value;
        this.report(`${displayLabel(label)}: ${this.text.slice(offset, node.range![1])} is not a finite number`, offset, pointer);
        return null;
      }
      const tag = (node.tag ?? '').replace('tag:yaml.org,2002:', '!!');
      this.report(`${displayLabel(label)}: the tag ${tag} gives a value that is not text, a number or true/false`, offset, pointer);
      return null;
    }
    if (this.yaml.isMap(node)) return this.map(node.items, pointer, label, depth, aliases);
    // A single `key: value` inside a flow sequence ([a: 1]) is a pair standing for a map.
    if (this.yaml.isPair(node)) return this.map([node], pointer, label, depth, aliases);
    if (this.yaml.isSeq(node)) {
      return node.items.map((item, index) => {
        const childPointer = `${pointer}/${index}`;
        const childLabelText = childLabel(label, index);
        this.record(childPointer, childLabelText, undefined, item, offset);
        return this.convert(item, childPointer, childLabelText, depth + 1, aliases);
      });
    }
    return null;
  }

  map(pairs: readonly Pair[], pointer: string, label: string, depth: number, aliases: readonly Node[]): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const pair of pairs) {
      const keyNode = pair.key;
      const keyOffset = (keyNode as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
      const keyValue: unknown = this.yaml.isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof keyValue !== 'string' && typeof keyValue !== 'number' && typeof keyValue !== 'boolean') {
        this.report(`a key in ${displayLabel(label)} is ${keyValue === null ? 'empty' : 'not plain text'}`, keyOffset, pointer);
        continue;
      }
      const key = String(keyValue);
      const childPointer = `${pointer}/${pointerSegment(key)}`;
      const childLabelText = childLabel(label, key);
      if (Object.prototype.hasOwnProperty.call(object, key)) {
        this.report(`${displayLabel(label)} has the key '${key}' twice`, keyOffset, childPointer);
        continue;
      }
      const valueEnd = (keyNode as { range?: [number, number, number] }).range?.[1] ?? keyOffset;
      this.record(childPointer, childLabelText, keyOffset, pair.value, valueEnd);
      // defineProperty, not assignment: a key named __proto__ must stay a plain key.
      Object.defineProperty(object, key, {
        value: this.convert(pair.value, childPointer, childLabelText, depth + 1, aliases),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
}

/** The yaml package's message, reworded where it speaks to its API users or omits the key. */
function syntaxDetail(code: string, message: string, from: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a definition file holds one YAML document';
  // The error points at the second occurrence of the key.
  const key = code === 'DUPLICATE_KEY' ? /^("[^"\n]*"|'[^'\n]*'|[^\s:#,{}[\]][^:#,{}[\]\n]*?)\s*:/.exec(from)?.[1] : undefined;
  return key === undefined ? message : `the key ${key} appears twice in one map`;
}

/** Parses one YAML document. Syntax problems leave `value` unreliable; callers stop there. */
export function readSourceTree(text: string, file: string): SourceTree {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(Math.min(offset, text.length));
    return { file, line, column: col };
  };
  const converter = new Converter(doc, text, position);
  const syntax = [...doc.errors, ...doc.warnings].map((e) =>
    problem('definition.yaml-syntax', { detail: syntaxDetail(e.code, e.message, text.slice(e.pos[0])) }, { position: position(e.pos[0]), pointer: '' }),
  );
  // Converting a document with syntax errors would report their echoes (a duplicate key twice).
  if (syntax.length > 0) return { file, value: null, spans: converter.spans, problems: syntax, position };
  if (doc.directives.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    converter.report(`%YAML ${doc.directives.yaml.version} is not read: definitions are YAML 1.2, where on, off, yes and no are text`, 0, '');
  }
  converter.record('', '', undefined, doc.contents, 0);
  const value = converter.convert(doc.contents, '', '', 0, []);
  return { file, value, spans: converter.spans, problems: converter.problems, position };
}
