/**
 * The build step after tsc (`npm run build`): precompiles compat/ into per-release images
 * (src/machine/compat-data/image.ts) once its documents pass the schemas and cross-checks, and
 * bundles the `hotmem` command (with a V8 code cache, see bin.cts) and the matrix worker into
 * single files, so a start reads one script and one release's data instead of hundreds of
 * modules and every YAML file.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { build, type BuildOptions } from 'esbuild';
import { packageRoot } from '../src/core/package-root.js';
import { CompatData } from '../src/machine/compat-data/compat-data.js';
import { writeImages } from '../src/machine/compat-data/image.js';
import { readCompatDocuments } from '../src/machine/compat-data/read-documents.js';
import { BUNDLE_HEAD, BUNDLE_TAIL, CODE_CACHE, loadHotmem } from './bin.cjs';

const root = packageRoot();

const documents = readCompatDocuments(join(root, 'compat'));
new CompatData(documents);
const index = writeImages(root, documents);

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
 * what a short command runs: the version, `-machine help`, and a machine started and asked over QMP.
 */
async function warm(): Promise<Buffer> {
  const { hotmem, script } = loadHotmem(undefined);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const io = { out: () => undefined, err: () => undefined, stdout: sink };
  const qmp = [
    '{"execute":"qmp_capabilities"}',
    '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/vm0","property":"size"}}',
    '{"execute":"quit"}',
  ];
  await hotmem.runCli(['--version'], io);
  await hotmem.runCli(['machines'], io);
  await hotmem.runCli(
    [
      'qemu',
      '-machine',
      'q35',
      '-m',
      '1G,slots=1,maxmem=4G',
      '-object',
      'memory-backend-memfd,id=mem0,size=2G',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0',
      '-S',
      '-nodefaults',
      '-display',
      'none',
      '-qmp',
      'stdio',
    ],
    { ...io, stdin: Readable.from(qmp.map((line) => `${line}\n`)) },
  );
  return script.createCachedData();
}
writeFileSync(CODE_CACHE, await warm());
// tsc writes files without the execute bit; the package's bin (npx hotmem) must run as a program.
chmodSync(join(root, 'dist', 'build', 'bin.cjs'), 0o755);

process.stdout.write(`build: compat images for ${index.releases.length} releases, bundles in dist/bundle\n`);
