/**
 * Dotted versions and ranges over them, as matrix files write them for QEMU releases, machine
 * type versions and kernels: `7.2`, `>=7.0`, `<8.0`, `6.2..8.1` (inclusive), `*`. Versions compare
 * component by component as numbers, so 6.10 sorts after 6.9.
 */
export type Version = readonly number[];

const VERSION = /^\d+(?:\.\d+)*$/;
const TRAILING_VERSION = /(\d+(?:\.\d+)*)$/;

export function parseVersion(text: string): Version | undefined {
  return VERSION.test(text) ? text.split('.').map(Number) : undefined;
}

/** The version a label ends with (`pc-q35-6.2` → 6.2, `linux-6.10` → 6.10), if any. */
export function trailingVersion(label: string): Version | undefined {
  const match = TRAILING_VERSION.exec(label);
  return match ? parseVersion(match[1]!) : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export type Comparison = '<' | '<=' | '>' | '>=';

export type VersionRange =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly version: Version }
  | { readonly kind: 'compare'; readonly op: Comparison; readonly version: Version }
  | { readonly kind: 'between'; readonly from: Version; readonly to: Version };

const COMPARE = /^(>=|<=|>|<)\s*(\d+(?:\.\d+)*)$/;
const BETWEEN = /^(\d+(?:\.\d+)*)\.\.(\d+(?:\.\d+)*)$/;

/** A range as written, or undefined when the text is none of the forms. */
export function parseRange(text: string): VersionRange | undefined {
  const t = text.trim();
  if (t === '*') return { kind: 'any' };
  const compare = COMPARE.exec(t);
  if (compare) return { kind: 'compare', op: compare[1] as Comparison, version: parseVersion(compare[2]!)! };
  const between = BETWEEN.exec(t);
  if (between) return { kind: 'between', from: parseVersion(between[1]!)!, to: parseVersion(between[2]!)! };
  const exact = parseVersion(t);
  return exact ? { kind: 'exact', version: exact } : undefined;
}

export function compareHolds(op: Comparison, d: number): boolean {
  switch (op) {
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    default: {
      const exhaustive: never = op;
      return exhaustive;
    }
  }
}

export function inRange(v: Version, range: VersionRange): boolean {
  switch (range.kind) {
    case 'any':
      return true;
    case 'exact':
      return compareVersions(v, range.version) === 0;
    case 'compare':
      return compareHolds(range.op, compareVersions(v, range.version));
    case 'between':
      return compareVersions(v, range.from) >= 0 && compareVersions(v, range.to) <= 0;
    default: {
      const exhaustive: never = range;
      return exhaustive;
    }
  }
}
