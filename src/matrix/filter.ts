/**
 * The cell-selection language of `--filter` and of an expectation's `when`: comma-separated
 * terms that must all hold. `NAME=VALUE` and `NAME!=VALUE` compare a dimension's value label
 * with globs (`*`) and alternatives (`5.10|5.15`); `NAME<V` (also <=, >, >=) compares the
 * version the label ends with, so `release>=7.0` and `machine<6.2` read naturally. A label
 * without a version satisfies no comparison.
 */
import { globRegex } from './machine-patterns.js';
import { compareHolds, compareVersions, parseVersion, trailingVersion, type Comparison, type Version } from './versions.js';

export type FilterTerm =
  | { readonly kind: 'match'; readonly dimension: string; readonly negated: boolean; readonly patterns: readonly RegExp[] }
  | { readonly kind: 'compare'; readonly dimension: string; readonly op: Comparison; readonly version: Version };

export interface CellFilter {
  /** The expression as written (recorded in results). */
  readonly text: string;
  readonly terms: readonly FilterTerm[];
}

export type FilterParse = { readonly ok: true; readonly filter: CellFilter } | { readonly ok: false; readonly reason: string };

const TERM = /^([A-Za-z][A-Za-z0-9_-]*)\s*(!=|>=|<=|=|<|>)\s*(.*)$/;

export function parseFilter(text: string): FilterParse {
  const terms: FilterTerm[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    const match = TERM.exec(term);
    if (!match) return { ok: false, reason: `'${term}' is not NAME=VALUE, NAME!=VALUE or NAME<VERSION (also <=, >, >=)` };
    const [, dimension, op, value] = match as unknown as [string, string, string, string];
    if (value === '') return { ok: false, reason: `'${term}' has no value` };
    if (op === '=' || op === '!=') {
      terms.push({ kind: 'match', dimension, negated: op === '!=', patterns: value.split('|').map((v) => globRegex(v.trim())) });
      continue;
    }
    const version = parseVersion(value);
    if (!version) return { ok: false, reason: `'${term}' compares with '${value}', which is not a version such as 7.0` };
    terms.push({ kind: 'compare', dimension, op: op as Comparison, version });
  }
  return { ok: true, filter: { text, terms } };
}

/** Dimension names the filter uses that are not among `known`. */
export function unknownDimensions(filter: CellFilter, known: readonly string[]): string[] {
  return [...new Set(filter.terms.map((t) => t.dimension).filter((d) => !known.includes(d)))];
}

function holds(term: FilterTerm, label: string | undefined): boolean {
  if (label === undefined) return false;
  switch (term.kind) {
    case 'match':
      return term.patterns.some((p) => p.test(label)) !== term.negated;
    case 'compare': {
      const version = trailingVersion(label);
      return version !== undefined && compareHolds(term.op, compareVersions(version, term.version));
    }
    default: {
      const exhaustive: never = term;
      return exhaustive;
    }
  }
}

/** Whether a cell with these value labels (dimension → label) is selected. */
export function filterMatches(filter: CellFilter, coordinates: Readonly<Record<string, string>>): boolean {
  return filter.terms.every((t) => holds(t, coordinates[t.dimension]));
}

/**
 * filterMatches with every term's answer kept per label. A term's answer depends on the term and
 * the label of the one dimension it names, nothing else, and a matrix has a few labels per
 * dimension but many cells: walking a million cells asks each term a million times, and a
 * version comparison parses the label each time. Holds at most one answer per term and label.
 */
export class FilterMemo {
  readonly #answers = new Map<FilterTerm, Map<string | undefined, boolean>>();

  matches(filter: CellFilter, coordinates: Readonly<Record<string, string>>): boolean {
    return filter.terms.every((t) => this.holds(t, coordinates[t.dimension]));
  }

  holds(term: FilterTerm, label: string | undefined): boolean {
    let byLabel = this.#answers.get(term);
    if (byLabel === undefined) this.#answers.set(term, (byLabel = new Map<string | undefined, boolean>()));
    let answer = byLabel.get(label);
    if (answer === undefined) byLabel.set(label, (answer = holds(term, label)));
    return answer;
  }
}
