/**
 * Regenerates compat/cpus/ from the real QEMU binaries of the roots
 * (test/conformance/roots.sh): for each release and target, what realizing each CPU model that
 * `-cpu help` lists prints under TCG on the default machine (x86_cpu_filter_features' "TCG doesn't
 * support requested feature" warnings, s390x's unavailable-feature refusal, `host` needing KVM),
 * and whether start-up goes on.
 *
 *   node dist/scripts/cpu-data.js [SUITE...]
 *
 * The lines are stored once per file and models refer to them by index: most models share their
 * lines with their versions and neighbours.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../src/core/arch.js';
import { packageRoot } from '../src/core/package-root.js';
import { release } from '../src/core/release.js';
import { inWindow } from '../src/core/release.js';
import type { CpuModelOutcome, ReleaseCpus } from '../src/machine/cpu-data/format.js';
import { CPU_MODEL_DATA } from '../src/frontends/cmdline/data/qemu-options.js';
import { SUITES, isMissing, realQemu, type Suite } from '../test/conformance/real-qemu.js';

const ARCHES: readonly Arch[] = ['x86_64', 's390x'];
const QUIT = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n';

function probe(binary: string, arch: Arch, model: string): { readonly lines: string[]; readonly starts: boolean } {
  const run = spawnSync(binary, ['-accel', 'tcg', '-cpu', model, '-S', '-display', 'none', '-nodefaults', '-qmp', 'stdio'], {
    input: QUIT,
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.error) throw run.error;
  const prefix = `qemu-system-${arch}: `;
  // Machine deprecation notes are the machine's, not the model's (they come before the CPU's).
  const lines = run.stderr
    .split('\n')
    .filter((l) => l !== '' && !l.includes('is deprecated: machines more than'))
    .map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l));
  return { lines, starts: run.status === 0 };
}

function releaseCpus(binary: string, versionLine: string, arch: Arch, version: string): ReleaseCpus {
  const r = release(version);
  const models = CPU_MODEL_DATA.find((d) => d.arch === arch && inWindow(r, d))?.models ?? [];
  const lines: string[] = [];
  const index = new Map<string, number>();
  const outcomes: Record<string, CpuModelOutcome> = {};
  for (const model of models) {
    const { lines: printed, starts } = probe(binary, arch, model);
    if (printed.length === 0 && starts) continue;
    const refs = printed.map((line) => {
      let i = index.get(line);
      if (i === undefined) {
        i = lines.length;
        lines.push(line);
        index.set(line, i);
      }
      return i;
    });
    outcomes[model] = starts ? { lines: refs } : { lines: refs, refused: true };
  }
  return { release: version, arch, binary: versionLine, accel: 'tcg', lines, models: outcomes };
}

const suites = process.argv.slice(2) as Suite[];
for (const { suite, release: version } of SUITES) {
  if (suites.length > 0 && !suites.includes(suite)) continue;
  for (const arch of ARCHES) {
    const q = realQemu(suite, arch);
    if (isMissing(q)) {
      console.error(`skipped ${suite} ${arch}: ${q.missing}`);
      continue;
    }
    const data = releaseCpus(q.binary, q.versionLine, arch, version);
    const dir = join(packageRoot(), 'compat', 'cpus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${arch}-${version}.json`), `${JSON.stringify(data, null, 1)}\n`);
    console.log(`${suite} ${arch}: ${Object.keys(data.models).length} models print something, ${data.lines.length} distinct lines`);
  }
}
