/**
 * What an expectation in a definition means, for whoever runs the steps: how a value read back
 * (qom-get, an event's data) is compared with the expected text, and when bounds hold.
 */
import type { Bounds, ExpectedField } from './definition.js';

/**
 * The text a value read back is compared as: booleans as on/off (so `equals: true` and
 * `equals: on` both match a bool property and an OnOffAuto reading "on"), numbers in decimal,
 * text as is, anything else as JSON.
 */
export function comparisonText(actual: unknown): string {
  if (typeof actual === 'boolean') return actual ? 'on' : 'off';
  if (typeof actual === 'number' || typeof actual === 'bigint') return actual.toString();
  if (typeof actual === 'string') return actual;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- lib.d.ts says string, but undefined and functions stringify to undefined
  return JSON.stringify(actual) ?? 'undefined';
}

export const propertyMatches = (expected: string, actual: unknown): boolean => comparisonText(actual) === expected;

/** Every listed field is in `data` and matches; fields not listed are not compared. */
export function dataMatches(expected: readonly ExpectedField[], data: Readonly<Record<string, unknown>>): boolean {
  return expected.every((f) => Object.prototype.hasOwnProperty.call(data, f.name) && propertyMatches(f.value, data[f.name]));
}

/** The bounds `value` breaks, as `below 2147483648`-style phrases; empty when all hold. */
export function brokenBounds(bounds: Bounds, value: number): string[] {
  const broken: string[] = [];
  if (bounds.below !== undefined && !(value < bounds.below)) broken.push(`below ${bounds.below}`);
  if (bounds.atMost !== undefined && !(value <= bounds.atMost)) broken.push(`at most ${bounds.atMost}`);
  if (bounds.equals !== undefined && value !== bounds.equals) broken.push(`equal to ${bounds.equals}`);
  if (bounds.atLeast !== undefined && !(value >= bounds.atLeast)) broken.push(`at least ${bounds.atLeast}`);
  if (bounds.above !== undefined && !(value > bounds.above)) broken.push(`above ${bounds.above}`);
  return broken;
}
