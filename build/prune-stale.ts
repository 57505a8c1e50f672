/**
 * tsc writes what each source compiles to and never removes what a deleted source left in dist/.
 * A test whose source is gone would still run from its old copy (mocha globs dist/test), so the
 * build removes every compiled file whose source no longer exists, before anything reads dist/.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What tsc makes of `x.ts` (x.js, x.d.ts and their maps) and of `x.cts` (x.cjs, x.d.cts). */
const COMPILED = /^(.*)\.(?:js|d\.ts|js\.map|d\.ts\.map|cjs|d\.cts|cjs\.map|d\.cts\.map)$/;

function sourceOf(stem: string): readonly string[] {
  return [`${stem}.ts`, `${stem}.cts`];
}

/** Removes, below dist/<dir> for each compiled source folder, the files no source accounts for; returns their paths. */
export function pruneStale(root: string, sourceDirs: readonly string[]): string[] {
  const removed: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const stem = COMPILED.exec(entry.name)?.[1];
      if (stem === undefined) continue;
      const source = join(root, relative(join(root, 'dist'), dir), stem);
      if (sourceOf(source).some((s) => existsSync(s))) continue;
      rmSync(path);
      removed.push(relative(root, path));
    }
  };
  for (const dir of sourceDirs) {
    const compiled = join(root, 'dist', dir);
    if (existsSync(compiled)) walk(compiled);
  }
  return removed;
}
