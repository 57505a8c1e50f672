import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding hotmem's package.json. Code runs from dist/ after a build, data (compat/,
 * examples/) stays at the package root, so files are found from here, never from the cwd.
 */
export function packageRoot(from?: string): string {
  return from === undefined ? OWN_ROOT : findRoot(from);
}

function findRoot(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    if (dirname(dir) === dir) throw new Error(`internal: no hotmem package root above ${from}`);
  }
}

/** This module's own package root, found once: every data load asks for it. */
const OWN_ROOT = findRoot(fileURLToPath(import.meta.url));
