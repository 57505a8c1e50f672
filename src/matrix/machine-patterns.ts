/**
 * Machine-type patterns of a machine-types dimension, resolved against the machine types one
 * QEMU release registers: a name or alias (`pc-q35-7.2`, `q35`), a glob (`pc-q35-*`, `*`), or a
 * version range alone (`>=6.2`: versioned machine types of any series) or after a series
 * (`pc-i440fx-5.1..7.2`, `pc-q35-<7.0`).
 */
import type { MachineType } from '../machine/compat-data/types.js';
import { inRange, parseRange, parseVersion, type VersionRange } from './versions.js';

export type MachinePattern =
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'glob'; readonly text: string; readonly regex: RegExp }
  | { readonly kind: 'range'; readonly text: string; readonly series: string | undefined; readonly range: VersionRange };

/** A range ends the pattern: an operator and a version, or two versions joined by `..`. */
const SERIES_RANGE = /^(?:(.+?)-)?((?:>=|<=|>|<)\d+(?:\.\d+)*|\d+(?:\.\d+)*\.\.\d+(?:\.\d+)*)$/;

export function globRegex(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export function parseMachinePattern(text: string): MachinePattern {
  if (text.includes('*')) return { kind: 'glob', text, regex: globRegex(text) };
  const match = SERIES_RANGE.exec(text);
  if (match) return { kind: 'range', text, series: match[1], range: parseRange(match[2]!)! };
  return { kind: 'name', text };
}

function matches(pattern: MachinePattern, type: MachineType): boolean {
  switch (pattern.kind) {
    case 'name':
      return type.name === pattern.text || type.alias === pattern.text;
    case 'glob':
      return pattern.regex.test(type.name);
    case 'range': {
      if (type.series === null || (pattern.series !== undefined && type.series.id !== pattern.series)) return false;
      const version = parseVersion(type.series.version);
      return version !== undefined && inRange(version, pattern.range);
    }
    default: {
      const exhaustive: never = pattern;
      return exhaustive;
    }
  }
}

/** The names of `types` any pattern selects, in the order of `types` (QEMU's -machine help order). */
export function selectMachineTypes(patterns: readonly MachinePattern[], types: readonly MachineType[]): string[] {
  return types.filter((t) => patterns.some((p) => matches(p, t))).map((t) => t.name);
}

/** Whether the pattern selects any of `types`: a pattern that selects nothing anywhere is a typo. */
export const selectsAny = (pattern: MachinePattern, types: readonly MachineType[]): boolean => types.some((t) => matches(pattern, t));
