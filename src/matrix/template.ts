/**
 * Definition templates: a part of the matrix file's tree whose text values hold `${name}` and
 * `${name.field}` placeholders. Each cell fills them in, giving a machine definition tree that
 * the definition schema and builder check as if it were its own file, with every position still
 * pointing into the matrix file.
 *
 * A value that is exactly one placeholder takes the dimension value's type (a number stays a
 * number), and is left out, with its key or list slot, when the value is null or lacks the field.
 * Placeholders inside longer text are replaced by the value's text.
 */
import type { NodeSpan, SourceTree } from '../frontends/yaml/source-tree.js';

export interface Ref {
  readonly dimension: string;
  readonly field: string | undefined;
}

export type Piece = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'ref'; readonly ref: Ref };

export type PlaceholderParse = { readonly ok: true; readonly pieces: readonly Piece[] } | { readonly ok: false; readonly reason: string };

const REF = /^([A-Za-z][A-Za-z0-9_-]*)(?:\.([A-Za-z0-9_-]+))?$/;

export function parsePlaceholders(text: string): PlaceholderParse {
  const pieces: Piece[] = [];
  let rest = text;
  for (let at = rest.indexOf('${'); at >= 0; at = rest.indexOf('${')) {
    if (at > 0) pieces.push({ kind: 'text', text: rest.slice(0, at) });
    const end = rest.indexOf('}', at);
    if (end < 0) return { ok: false, reason: `'${text}' has a \${ without its closing }` };
    const inner = rest.slice(at + 2, end).trim();
    const match = REF.exec(inner);
    if (!match) return { ok: false, reason: `'\${${inner}}' must name a dimension, as \${name} or \${name.field}` };
    pieces.push({ kind: 'ref', ref: { dimension: match[1]!, field: match[2] } });
    rest = rest.slice(end + 1);
  }
  if (rest !== '') pieces.push({ kind: 'text', text: rest });
  return { ok: true, pieces };
}

/** The template compiled once, so filling it in per cell is a walk with no parsing. */
export type TemplateNode =
  | { readonly kind: 'literal'; readonly value: unknown; readonly from: string }
  | { readonly kind: 'whole'; readonly ref: Ref; readonly from: string }
  | { readonly kind: 'text'; readonly pieces: readonly Piece[]; readonly from: string }
  /** Each entry's key also as a JSON pointer segment, encoded once rather than per cell. */
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [key: string, segment: string, node: TemplateNode]>; readonly from: string }
  | { readonly kind: 'list'; readonly items: readonly TemplateNode[]; readonly from: string };

/** A placeholder as written, with the pointer of the value holding it (for messages). */
export interface PlaceholderUse {
  readonly ref: Ref;
  readonly pointer: string;
}

/** A problem in a placeholder's syntax, at the value's pointer. */
export interface PlaceholderProblem {
  readonly pointer: string;
  readonly reason: string;
}

/** What a reference stands for in one cell: a value, or ABSENT to leave the key out. */
export const ABSENT: unique symbol = Symbol('absent');
export type Resolve = (ref: Ref) => string | number | boolean | typeof ABSENT;

export interface Template {
  readonly uses: readonly PlaceholderUse[];
  readonly node: TemplateNode;
}

const segment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Compiles the template written at `root` (a JSON pointer into the matrix file, `/scenario`). */
export function compileTemplate(value: unknown, root: string): { readonly template: Template; readonly problems: readonly PlaceholderProblem[] } {
  const uses: PlaceholderUse[] = [];
  const problems: PlaceholderProblem[] = [];
  const compile = (v: unknown, from: string): TemplateNode => {
    if (typeof v === 'string' && v.includes('${')) {
      const parsed = parsePlaceholders(v);
      if (!parsed.ok) {
        problems.push({ pointer: from, reason: parsed.reason });
        return { kind: 'literal', value: v, from };
      }
      for (const p of parsed.pieces) if (p.kind === 'ref') uses.push({ ref: p.ref, pointer: from });
      const only = parsed.pieces[0];
      return parsed.pieces.length === 1 && only?.kind === 'ref' ? { kind: 'whole', ref: only.ref, from } : { kind: 'text', pieces: parsed.pieces, from };
    }
    if (Array.isArray(v)) return { kind: 'list', items: v.map((item, i) => compile(item, `${from}/${i}`)), from };
    if (v !== null && typeof v === 'object') {
      return {
        kind: 'map',
        entries: Object.entries(v).map(([k, item]) => {
          const encoded = segment(k);
          return [k, encoded, compile(item, `${from}/${encoded}`)] as const;
        }),
        from,
      };
    }
    return { kind: 'literal', value: v, from };
  };
  const template: Template = { uses, node: compile(value, root) };
  return { template, problems };
}

/**
 * The template filled in for one cell, as a source tree over the matrix file: `spans` maps the
 * filled-in tree's pointers to where their values were written, so a problem in the cell's
 * definition points at the template (or at the placeholder that brought the value).
 */
export function instantiate(template: Template, resolve: Resolve, matrix: SourceTree): SourceTree {
  const spans = new Map<string, NodeSpan>();
  const fill = (node: TemplateNode, to: string): unknown => {
    const span = matrix.spans.get(node.from);
    // A filled-in value is not the scalar written there: messages must not quote the placeholder as it.
    if (span) spans.set(to, node.kind === 'whole' ? { ...span, source: undefined } : span);
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'whole': {
        const v = resolve(node.ref);
        return v === ABSENT ? ABSENT : v;
      }
      case 'text':
        return node.pieces.map((p) => (p.kind === 'text' ? p.text : textOf(resolve(p.ref)))).join('');
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [key, encoded, child] of node.entries) {
          const v = fill(child, `${to}/${encoded}`);
          if (v === ABSENT) continue;
          // A key named __proto__ must stay a plain key, as the source tree keeps it; any other
          // is assigned, which keeps the object in V8's fast shape (defineProperty on every key
          // did not, and made filling in a cell and checking it several times slower).
          if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
          else out[key] = v;
        }
        return out;
      }
      case 'list': {
        const out: unknown[] = [];
        for (const child of node.items) {
          const v = fill(child, `${to}/${out.length}`);
          if (v !== ABSENT) out.push(v);
        }
        return out;
      }
      default: {
        const exhaustive: never = node;
        return exhaustive;
      }
    }
  };
  const value = fill(template.node, '');
  return { file: matrix.file, value: value === ABSENT ? null : value, spans, problems: [], position: matrix.position };
}

const textOf = (v: string | number | boolean | typeof ABSENT): string => (v === ABSENT ? '' : String(v));
