/**
 * The build step after tsc (`npm run build`): removes what deleted sources left compiled in dist/
 * (prune-stale.ts), precompiles compat/ into per-release images
 * (src/machine/compat-data/image.ts) once its documents pass the schemas and cross-checks,
 * records where each shared property table lies (src/qom/device-data/shared-tables.ts), and
 * bundles the `hotmem` command (with a V8 code cache, see bin.cts) and the matrix worker into
 * single files, so a start reads one script and one release's data instead of hundreds of
 * modules and every YAML file; then builds the start-up snapshot the `hotmem` script starts
 * Node on (snapshot-entry.ts, hotmem.sh), which spares a start the bundle's compilation and
 * evaluation too.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { packageRoot } from '../src/core/package-root.js';
import { CompatData } from '../src/machine/compat-data/compat-data.js';
import { writeImages } from '../src/machine/compat-data/image.js';
import { readCompatDocuments } from '../src/machine/compat-data/read-documents.js';
import { writeTablePositions } from '../src/qom/device-data/shared-tables.js';
import { pruneStale } from './prune-stale.js';
import { BUNDLE_HEAD, BUNDLE_TAIL, CODE_CACHE, loadHotmem } from './bin.cjs';
import { warm } from './warm.js';

const root = packageRoot();
const compiledDirs = (JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include: string[] }).include;
for (const path of pruneStale(root, compiledDirs)) console.log(`build: removed ${path} (its source is gone)`);
const SNAPSHOT = join(root, 'dist', 'bundle', 'hotmem.blob');
const SNAPSHOT_ENTRY = join(root, 'dist', 'bundle', 'snapshot.cjs');

const documents = readCompatDocuments(join(root, 'compat'));
new CompatData(documents);
const index = writeImages(root, documents);
const tables = writeTablePositions(root);

rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Less source to read at each start. Function and class names are not kept (esbuild's keepNames):
  // no output reads them (error names are fields), and restoring each one cost a start 400 KB of
  // young heap and a scavenge.
  minify: true,
  // Other characters escaped: bin.cts reads the bundle as latin1, the fastest decoding, exact for ASCII.
  charset: 'ascii',
  // yaml and ajv load on demand from node_modules (src/core/on-demand.ts).
  external: ['yaml', 'ajv', 'ajv/*'],
};
await build({
  ...common,
  entryPoints: ['build/bundle-entry.ts'],
  outfile: 'dist/bundle/hotmem.cjs',
  // V8's code cache needs a classic script: the file is one CommonJS module function expression
  // (bin.cts calls it), wrapped here so that the text V8 compiles is the file as read. Wrapping it
  // at start copied the whole source on the young heap, which cost every start a scavenge.
  format: 'cjs',
  define: { 'import.meta.url': '__hotmemModuleUrl' },
  banner: { js: `${BUNDLE_HEAD}const __hotmemModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
  footer: { js: BUNDLE_TAIL },
});
// The matrix pool starts ./worker.js beside the module that holds it, here the bundle.
await build({
  ...common,
  entryPoints: ['src/matrix/worker.ts'],
  outfile: 'dist/bundle/worker.js',
  format: 'esm',
  banner: { js: "import { createRequire as __hotmemCreateRequire } from 'node:module'; const require = __hotmemCreateRequire(import.meta.url);" },
});

/**
 * The code cache holds the functions compiled while the bundle ran, so it is made after running
 * what a short command runs (warm.ts).
 */
async function codeCache(): Promise<Buffer> {
  const { hotmem, script } = loadHotmem(undefined);
  await warm(hotmem);
  return script.createCachedData();
}
writeFileSync(CODE_CACHE, await codeCache());
// tsc writes files without the execute bit; the package's bin (npx hotmem) and the loader it
// falls back to must run as programs.
chmodSync(join(root, 'dist', 'build', 'bin.cjs'), 0o755);
copyFileSync(join(root, 'build', 'hotmem.sh'), join(root, 'dist', 'build', 'hotmem'));
chmodSync(join(root, 'dist', 'build', 'hotmem'), 0o755);

/**
 * The start-up snapshot (snapshot-entry.ts) with the flags hotmem.sh runs it with, and the link
 * to the node that built it (hotmem.sh starts the snapshot only on that node). Without them
 * hotmem.sh starts from the bundle, as it must where this node cannot build one.
 */
function startupSnapshot(): string {
  const flags = /^flags='([^']*)'$/m.exec(readFileSync(join(root, 'build', 'hotmem.sh'), 'utf8'))?.[1];
  if (flags === undefined) throw new Error("internal: build/hotmem.sh has no flags='...' line");
  const made = spawnSync(process.execPath, [...flags.split(' ').filter(Boolean), '--snapshot-blob', SNAPSHOT, '--build-snapshot', SNAPSHOT_ENTRY], {
    encoding: 'utf8',
  });
  if (made.status !== 0) {
    rmSync(SNAPSHOT, { force: true });
    // Node's warnings about builtins it has not verified in snapshots come on every success, so stderr is shown only here.
    return `no start-up snapshot (node ${process.version} exited ${String(made.status ?? made.signal)}: ${made.stderr.trim()}); hotmem starts from the bundle`;
  }
  symlinkSync(process.execPath, `${SNAPSHOT}.node`);
  return `start-up snapshot ${SNAPSHOT} for node ${process.version}`;
}
await build({
  ...common,
  entryPoints: ['build/snapshot-entry.ts'],
  outfile: SNAPSHOT_ENTRY,
  format: 'cjs',
  define: { 'import.meta.url': '__hotmemModuleUrl' },
  banner: { js: "const __hotmemModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const snapshot = startupSnapshot();

process.stdout.write(
  `build: compat images for ${index.releases.length} releases, positions of ${tables} shared property tables, bundles in dist/bundle, ${snapshot}\n`,
);
