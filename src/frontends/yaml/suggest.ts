/**
 * "Did you mean" for misspelt keys and values: the closest valid spelling by edit distance.
 * Typos in definitions are mostly one slip (a dropped, doubled or swapped letter, `_` for `-`),
 * so adjacent swaps count as one edit and far-off candidates are not offered.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the swap rule looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word`, if it is close enough to be a typo: at most a third of the
 * word's length in edits (one for short words), compared case-insensitively. Ties go to the
 * candidate listed first, so the answer is deterministic.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Other tools' words for keys of a definition: QEMU's JSON -object says qom-type, -m says size,
 * and scenario writers say touch. Offered only where the meant key exists.
 */
const KEY_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['qom-type', 'type'],
  ['backends', 'objects'],
  ['size', 'memory'],
  ['ram', 'memory'],
  ['release', 'qemu'],
  ['version', 'qemu'],
  ['touch', 'write'],
]);

/** A suggestion for an unknown key among `allowed`: a close spelling, else a known synonym. */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  const synonym = KEY_SYNONYMS.get(key);
  return suggest(key, allowed) ?? (synonym !== undefined && allowed.includes(synonym) ? synonym : undefined);
}

/**
 * For property names, which the object model checks when the machine starts: the lead's
 * wrapper around QEMU's `Property 'virtio-mem-pci.frob' not found` calls this with the type's
 * property names to add a hint. Returns `did you mean 'x'?` or undefined.
 */
export function propertyNameHint(name: string, validNames: Iterable<string>): string | undefined {
  const best = suggest(name, validNames);
  return best === undefined ? undefined : `did you mean '${best}'?`;
}
