/**
 * Problems found in a machine definition, each at a file, line and column, and the error that
 * carries all of them. A hand-written file usually holds several mistakes; reporting every one
 * at once, in file order, spares the user one fix-and-rerun round per mistake.
 */
import { defineErrors, HotmemError } from '../../core/errors.js';

/** A place in a definition file; line and column count from 1. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `file:line:column`, the prefix compilers and editors recognise. */
export const formatPosition = (p: SourcePosition): string => `${p.file}:${p.line}:${p.column}`;

/** `; did you mean 'x'?` when a suggestion exists. */
const didYouMean = (suggestion: string | undefined): string => (suggestion === undefined ? '' : `; did you mean '${suggestion}'?`);

/**
 * Every problem a definition can have. `at` is the offending place as a path
 * (`devices[0].requested-size`), the way users name it.
 */
export const definitionProblems = defineErrors({
  'definition.yaml-syntax': (a: { detail: string }) => `invalid YAML: ${a.detail}`,
  'definition.yaml-unsupported': (a: { detail: string }) => a.detail,
  'definition.unknown-key': (a: { key: string; at: string; suggestion?: string }) => `unknown key '${a.key}' at ${a.at}${didYouMean(a.suggestion)}`,
  'definition.missing-key': (a: { key: string; at: string }) => `missing key '${a.key}' at ${a.at}`,
  'definition.bad-value': (a: { at: string; expected: string; found: string; suggestion?: string; hint?: string }) =>
    `${a.at} must be ${a.expected}, not ${a.found}${didYouMean(a.suggestion)}${a.hint === undefined ? '' : `; ${a.hint}`}`,
  'definition.one-key': (a: { at: string; keys: readonly string[]; found: readonly string[] }) =>
    `${a.at} must have exactly one key, one of ${a.keys.join(', ')}; it has ${a.found.length === 0 ? 'none' : a.found.join(' and ')}`,
  'definition.empty-map': (a: { at: string; keys: readonly string[] }) => `${a.at} must have at least one of ${a.keys.join(', ')}`,
  'definition.bad-size': (a: { at: string; text: string; reason: string }) => `${a.at}: '${a.text}' ${a.reason}`,
  'definition.bad-global': (a: { at: string; detail: string }) => `${a.at}: ${a.detail}`,
  'definition.needs-s390x': (a: { at: string; arch: string }) => `${a.at}: storage keys exist on s390x only, and host.arch is ${a.arch}`,
  'definition.migration-target': (a: { at: string; to: string; reason: string }) => `${a.at}: cannot read the destination '${a.to}': ${a.reason}`,
  'definition.migration-cycle': (a: { at: string; chain: readonly string[] }) => `${a.at}: migration cycle ${a.chain.join(' → ')}`,
});

export type ProblemCode = keyof typeof definitionProblems.table;
export type ProblemArgs<C extends ProblemCode> = Parameters<(typeof definitionProblems.table)[C]>[0];

/** One mistake in a definition. */
export interface DefinitionProblem extends SourcePosition {
  readonly code: ProblemCode;
  /** JSON pointer of the offending value (`/devices/0/requested-size`); empty for the document. */
  readonly pointer: string;
  /** The offending key, for unknown and missing keys. */
  readonly key: string | undefined;
  /** A close, valid spelling of a misspelt key or value. */
  readonly suggestion: string | undefined;
  /** The message, without the position prefix. */
  readonly message: string;
}

export interface ProblemPlace {
  readonly position: SourcePosition;
  readonly pointer: string;
  readonly key?: string;
}

export function problem<C extends ProblemCode>(code: C, args: ProblemArgs<C>, place: ProblemPlace): DefinitionProblem {
  const template = definitionProblems.table[code] as (a: ProblemArgs<C>) => string;
  const suggestion = (args as { suggestion?: string }).suggestion;
  return { ...place.position, code, pointer: place.pointer, key: place.key, suggestion, message: template(args) };
}

export const formatProblem = (p: DefinitionProblem): string => `${formatPosition(p)}: ${p.message}`;

/**
 * Orders problems by position. Files keep the order they were first met in (the definition
 * before its migration destination), so a report reads from the top of each file down.
 */
export function sortProblems(problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  const fileRank = new Map<string, number>();
  for (const p of problems) if (!fileRank.has(p.file)) fileRank.set(p.file, fileRank.size);
  return [...problems].sort((a, b) => fileRank.get(a.file)! - fileRank.get(b.file)! || a.line - b.line || a.column - b.column);
}

/**
 * A definition that cannot be used. `message` lists every problem, one per line, as
 * `file:line:column: message`; the position fields describe the first.
 */
export class DefinitionError extends HotmemError {
  readonly problems: readonly DefinitionProblem[];
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  readonly key: string | undefined;
  readonly suggestion: string | undefined;

  constructor(problems: readonly DefinitionProblem[]) {
    const sorted = sortProblems(problems);
    const first = sorted[0];
    if (first === undefined) throw new Error('internal: a DefinitionError needs at least one problem');
    super('definition.invalid', sorted.map(formatProblem).join('\n'), { problems: sorted });
    this.problems = sorted;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.pointer = first.pointer;
    this.key = first.key;
    this.suggestion = first.suggestion;
  }
}
