/**
 * The program of the start-up snapshot (`node --build-snapshot`, run by build.ts on the bundle
 * esbuild makes of this file): every module of the command evaluated and the code a short command
 * runs compiled (warm.ts), so a start deserializes them instead of reading, compiling and
 * evaluating the bundle; the release data the warm-up read is dropped (process-cache.ts). The
 * `hotmem` script (hotmem.sh) starts Node on the snapshot with its own path before the command's
 * arguments. The process's arguments, environment, streams and host
 * are read at run time; where the snapshot may not answer (snapshot-check.ts) the process loads
 * the bundle as bin.cjs does.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startupSnapshot } from 'node:v8';
import { packageRoot } from '../src/core/package-root.js';
import { forgetProcessCaches } from '../src/core/process-cache.js';
import { loadCompatData } from '../src/machine/compat-data/load.js';
import type { runBin } from './bin.cjs';
import { processIo, runCli } from './bundle-entry.js';
import { snapshotOrigin, snapshotServes } from './snapshot-check.js';
import { warm } from './warm.js';

const origin = snapshotOrigin(packageRoot());

startupSnapshot.setDeserializeMainFunction(() => {
  const [, script, ...args] = process.argv;
  if (script === undefined) throw new Error('hotmem.blob: Node starts it from the hotmem script, whose path comes first');
  const index = snapshotServes(origin, script);
  if (index) {
    loadCompatData(packageRoot(), index);
    void runCli(args, processIo()).then((status) => {
      process.exitCode = status;
    });
    return;
  }
  const bin = join(dirname(script), 'bin.cjs');
  (createRequire(bin)(bin) as { runBin: typeof runBin }).runBin(args);
});

// The warm-up's code stays compiled; the release data it read goes (process-cache.ts).
void warm({ runCli }).then(forgetProcessCaches);
