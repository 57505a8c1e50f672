#!/usr/bin/env node
/**
 * The bundle's loader, what the `hotmem` script (hotmem.sh) runs where the start-up snapshot
 * cannot serve: runs the bundle the build wrote (dist/bundle/hotmem.cjs) compiled with
 * V8's code cache for it, so a start neither parses nor compiles the functions a command needs.
 * A cache V8 rejects (another Node version) is ignored and the bundle compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type { runCli as RunCli } from '../src/cli/app.js';
import type { processIo as ProcessIo } from '../src/cli/process-io.js';

export interface Hotmem {
  readonly runCli: typeof RunCli;
  readonly processIo: typeof ProcessIo;
}

export const BUNDLE = join(__dirname, '..', 'bundle', 'hotmem.cjs');
export const CODE_CACHE = `${BUNDLE}.cache`;
/** What the build writes around the bundled code: the file is one CommonJS module function expression. */
export const BUNDLE_HEAD = '(function (exports, require, module, __filename, __dirname) {';
export const BUNDLE_TAIL = '\n})';

/** Compiles and evaluates the bundle; `script` can then produce a code cache of what has run. */
export function loadHotmem(cachedData: Buffer | undefined): { readonly hotmem: Hotmem; readonly script: Script } {
  // The build writes the bundle in ASCII (esbuild escapes the rest), which decodes fastest as latin1.
  const source = readFileSync(BUNDLE, 'latin1');
  const script = new Script(source, { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as Hotmem };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, BUNDLE, join(BUNDLE, '..'));
  return { hotmem: module.exports, script };
}

function readCache(): Buffer | undefined {
  try {
    return readFileSync(CODE_CACHE);
  } catch {
    return undefined;
  }
}

/** The command on `args`, from the bundle: how the process starts without the snapshot (hotmem.sh). */
export function runBin(args: readonly string[]): void {
  const { hotmem } = loadHotmem(readCache());
  void hotmem.runCli(args, hotmem.processIo()).then((status) => {
    process.exitCode = status;
  });
}

if (require.main === module) runBin(process.argv.slice(2));
