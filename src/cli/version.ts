import { readFileSync } from 'node:fs';
import { packageRoot } from '../core/package-root.js';
import { join } from 'node:path';

/** The package version, read from package.json so there is one place to bump it. */
export function hotmemVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
