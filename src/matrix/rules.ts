/**
 * Holding a cell to the matrix's rules: every rule whose `when` selects the cell must find its
 * observations reading as expected and its memory figures within bounds. Each broken
 * expectation becomes one failure line, prefixed with where the rule is written.
 */
import type { Bounds } from '../frontends/yaml/definition.js';
import { formatPosition } from '../frontends/yaml/errors.js';
import { brokenBounds } from '../frontends/yaml/expectations.js';
import { refValue, type Cell } from './expand.js';
import { FilterMemo } from './filter.js';
import { globRegex } from './machine-patterns.js';
import { START } from './observation-names.js';
import type { Dimension, Rule } from './spec.js';
import { ABSENT } from './template.js';

const valueText = (v: string | number | boolean | typeof ABSENT): string => (v === ABSENT ? '' : String(v));

const ruleApplies = (memo: FilterMemo, rule: Rule, coordinates: Readonly<Record<string, string>>): boolean =>
  rule.when === undefined || memo.matches(rule.when, coordinates);

/** Whether a rule that applies to the cell says how its start-up ends: then a failed start-up is the rule's to judge. */
export const rulesJudgeStart = (memo: FilterMemo, rules: readonly Rule[], coordinates: Readonly<Record<string, string>>): boolean =>
  rules.some((r) => ruleApplies(memo, r, coordinates) && r.then.some((t) => t.name === START));

const boundsText = (b: Bounds): string =>
  (Object.entries(b) as [string, number][]).map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`).join(', ');

/** Globs of `matches` expectations compiled once per text: thousands of cells share a few. */
export type GlobCache = Map<string, RegExp>;

const compiled = (cache: GlobCache, glob: string): RegExp => {
  let regex = cache.get(glob);
  if (!regex) cache.set(glob, (regex = globRegex(glob)));
  return regex;
};

export function ruleFailures(
  globs: GlobCache,
  memo: FilterMemo,
  rules: readonly Rule[],
  cell: Cell,
  dimensions: readonly Dimension[],
  observations: Readonly<Record<string, string>>,
  memory: Readonly<Record<string, Readonly<Record<string, number>>>>,
): string[] {
  const failures: string[] = [];
  for (const rule of rules) {
    if (!ruleApplies(memo, rule, cell.coordinates)) continue;
    const where = `${formatPosition(rule.position)} (${rule.label})`;
    for (const { name, expected } of rule.then) {
      const actual = observations[name];
      const text = expected.text.map((p) => (p.kind === 'text' ? p.text : valueText(refValue(p.ref, dimensions, cell.values)))).join('');
      const wanted = expected.kind === 'equals' ? `'${text}'` : `to match '${text}'`;
      if (actual === undefined) failures.push(`${where}: ${name} was not recorded in this cell, expected ${wanted}`);
      else if (expected.kind === 'equals' ? actual !== text : !compiled(globs, text).test(actual))
        failures.push(`${where}: ${name} is '${actual}', expected ${wanted}`);
    }
    for (const { point, measure, bounds } of rule.memory) {
      const value = memory[point]?.[measure];
      if (value === undefined) failures.push(`${where}: ${measure} at ${point} was not recorded in this cell`);
      else if (brokenBounds(bounds, value).length > 0) failures.push(`${where}: ${measure} at ${point} is ${value}, expected ${boundsText(bounds)}`);
    }
  }
  return failures;
}
