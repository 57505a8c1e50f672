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
 *
 * On x86_64 also the feature flags (format.ts X86Features): `-cpu help`'s recognized flags, each
 * model's flags from query-cpu-model-expansion, and what asking for a flag does. A flag's
 * dependencies and conflicts come from expanding `base` with every flag on and one off at a time
 * (what drops with it needs it; what comes back conflicted with it); the descriptors QEMU names a
 * flag by come from starting with the flags asked for together, so each prints its own line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../src/core/arch.js';
import { packageRoot } from '../src/core/package-root.js';
import { release } from '../src/core/release.js';
import { inWindow } from '../src/core/release.js';
import type { CpuModelOutcome, ReleaseCpus, X86Features } from '../src/machine/cpu-data/format.js';
import { CPU_MODEL_DATA } from '../src/frontends/cmdline/data/qemu-options.js';
import { SUITES, isMissing, realQemu, type Suite } from '../test/conformance/real-qemu.js';
import { QmpSession } from '../test/conformance/qemu.js';

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

/** `-cpu help`'s "Recognized CPUID flags:" section. */
function recognizedFlags(binary: string): string[] {
  const help = spawnSync(binary, ['-cpu', 'help'], { encoding: 'utf8', timeout: 20_000 });
  const at = help.stdout.indexOf('Recognized CPUID flags:');
  if (at < 0) throw new Error(`${binary}: no "Recognized CPUID flags" in -cpu help`);
  return help.stdout
    .slice(at)
    .split('\n')
    .slice(1)
    .flatMap((l) => l.trim().split(/\s+/))
    .filter((w) => w !== '');
}

const TCG_LINE = "warning: TCG doesn't support requested feature: ";
const DEPENDS_LINE = 'warning: This feature depends on other features that were not requested: ';

/**
 * The flag a descriptor (`CPUID.07H:EBX.avx512f [bit 16]`) names: the longest flag it ends with.
 * Some name only a bit (7.2's `CPUID.0DH:ECX [bit 15]`, an XSAVE component the flags together
 * ask for): those belong to no one flag and are left out.
 */
function flagOf(descriptor: string, flags: readonly string[]): string | undefined {
  return flags.filter((f) => new RegExp(`\\.${f.replace(/[.+]/g, '\\$&')} \\[bit \\d+\\]$`).test(descriptor)).sort((a, b) => b.length - a.length)[0];
}

/** Starts `base` with the flags on and returns the lines that begin with `prefix`, by flag. */
function linesOf(binary: string, arch: Arch, flags: readonly string[], all: readonly string[], prefix: string): Map<string, string> {
  const { lines } = probe(binary, arch, ['base', ...flags.map((f) => `${f}=on`)].join(','));
  const found = new Map<string, string>();
  for (const line of lines) {
    if (!line.startsWith(prefix)) continue;
    const flag = flagOf(line.slice(prefix.length), all);
    if (flag !== undefined) found.set(flag, line.slice(prefix.length));
  }
  return found;
}

async function x86Features(binary: string, arch: Arch, models: readonly string[], refused: ReadonlySet<string>): Promise<X86Features> {
  const flags = recognizedFlags(binary);
  const session = await QmpSession.start(binary, ['-accel', 'tcg'], { timeoutMs: 60_000 });
  try {
    const on = async (model: string, props: Readonly<Record<string, boolean>> = {}): Promise<Set<string>> => {
      const r = await session.execute<{ model: { props: Record<string, unknown> } }>('query-cpu-model-expansion', {
        type: 'full',
        model: { name: model, props },
      });
      return new Set(flags.filter((f) => r.model.props[f] === true));
    };
    const base = await on('base');
    const props = await session.execute<{ name: string; type: string }[]>('device-list-properties', { typename: 'base-x86_64-cpu' });
    const aliases: Record<string, string> = {};
    for (const { name, type } of props) {
      if (type !== 'bool' || flags.includes(name)) continue;
      const added = [...(await on('base', { [name]: true }))].filter((f) => !base.has(f));
      if (added.length === 1) aliases[name] = added[0]!;
    }
    const everything = Object.fromEntries(flags.map((f) => [f, true]));
    const allOn = await on('base', everything);
    const needs = new Map<string, string[]>();
    const conflicts = new Map<string, string[]>();
    for (const f of flags) {
      const kept = await on('base', { ...everything, [f]: false });
      for (const x of flags) {
        if (x === f) continue;
        if (allOn.has(x) && !kept.has(x)) needs.set(x, [...(needs.get(x) ?? []), f]);
        if (!allOn.has(x) && kept.has(x)) conflicts.set(x, [...(conflicts.get(x) ?? []), f]);
      }
    }
    // A model's flags before expansion drops the ones missing what they need (a model with
    // vmx-* flags but without vmx): expanded with the needed flags that need nothing themselves
    // (vmx, svm, sgx, ...) forced on, those survive.
    const needed = Object.fromEntries([...new Set([...needs.values()].flat())].filter((f) => !needs.has(f)).map((f) => [f, true]));
    const sets: string[][] = [];
    const setIndex = new Map<string, number>();
    const modelSets: Record<string, number> = {};
    for (const model of models.filter((m) => !refused.has(m))) {
      let plain: Set<string>;
      let forced: Set<string>;
      try {
        plain = await on(model);
        forced = await on(model, needed);
      } catch {
        continue;
      }
      const list = flags.filter((f) => (f in needed ? plain.has(f) : forced.has(f)));
      const key = list.join(',');
      let i = setIndex.get(key);
      if (i === undefined) {
        i = sets.length;
        sets.push(list);
        setIndex.set(key, i);
      }
      modelSets[model] = i;
    }
    // TCG's lines: every flag that does not drop at expansion, at once; then each conflicting one alone.
    const tcg = linesOf(binary, arch, [...allOn], flags, TCG_LINE);
    for (const x of conflicts.keys()) for (const [f, d] of linesOf(binary, arch, [x], flags, TCG_LINE)) tcg.set(f, d);
    const tcgUnsupported = [...tcg].map(([f, d]) => [f, d] as const);
    // Dependency lines: the dependent flags together, without what they need; one that another
    // needs is then not missing anything, so it is asked for alone.
    const depends = linesOf(binary, arch, [...needs.keys()], flags, DEPENDS_LINE);
    for (const f of needs.keys()) if (!depends.has(f)) for (const [g, d] of linesOf(binary, arch, [f], flags, DEPENDS_LINE)) depends.set(g, d);
    const dependencies = [...depends].map(([f, d]) => [f, needs.get(f)!, d] as const);
    const conflictLines = [...conflicts].map(([x, w]) => {
      const { lines } = probe(binary, arch, ['base', ...[x, ...w].map((f) => `${f}=on`)].join(','));
      const line = lines.find((l) => l.startsWith('warning: ') && !l.startsWith(TCG_LINE) && l.endsWith(`.${x} ${/\[bit \d+\]$/.exec(l)?.[0] ?? ''}`));
      if (line === undefined) throw new Error(`no conflict line for ${x}: ${lines.join(' | ')}`);
      return [x, w, line.slice('warning: '.length)] as const;
    });
    return { flags, aliases, sets, models: modelSets, tcgUnsupported, dependencies, conflicts: conflictLines };
  } finally {
    await session.quit();
  }
}

function releaseCpus(binary: string, versionLine: string, arch: Arch, version: string): ReleaseCpus {
  const models = modelsOf(arch, version);
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

/** JSON as before for the outcomes; the features with one line per flag, set, model or rule. */
function document(data: ReleaseCpus): string {
  const { features, ...outcomes } = data;
  const text = JSON.stringify(outcomes, null, 1);
  if (!features) return text;
  const members = Object.entries(features).map(([key, value]) => {
    const entries: string[] = Array.isArray(value)
      ? value.map((v) => JSON.stringify(v))
      : Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return `  ${JSON.stringify(key)}: ${open}\n${entries.map((e) => `   ${e}`).join(',\n')}\n  ${close}`;
  });
  return `${text.slice(0, -2)},\n "features": {\n${members.join(',\n')}\n }\n}`;
}

/** Models whose start-up the binary refuses (`host` under TCG): their realize is the recorded lines. */
const refusedModels = (data: ReleaseCpus): ReadonlySet<string> => new Set(Object.entries(data.models).flatMap(([m, o]) => (o.refused ? [m] : [])));

const modelsOf = (arch: Arch, version: string): readonly string[] => CPU_MODEL_DATA.find((d) => d.arch === arch && inWindow(release(version), d))?.models ?? [];

const suites = process.argv.slice(2) as Suite[];
for (const { suite, release: version } of SUITES) {
  if (suites.length > 0 && !suites.includes(suite)) continue;
  for (const arch of ARCHES) {
    const q = realQemu(suite, arch);
    if (isMissing(q)) {
      console.error(`skipped ${suite} ${arch}: ${q.missing}`);
      continue;
    }
    const outcomes = releaseCpus(q.binary, q.versionLine, arch, version);
    const data: ReleaseCpus =
      arch === 'x86_64' ? { ...outcomes, features: await x86Features(q.binary, arch, modelsOf(arch, version), refusedModels(outcomes)) } : outcomes;
    const dir = join(packageRoot(), 'compat', 'cpus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${arch}-${version}.json`), `${document(data)}\n`);
    console.log(
      `${suite} ${arch}: ${Object.keys(data.models).length} models print something, ${data.lines.length} distinct lines` +
        (data.features
          ? `; ${data.features.flags.length} flags, ${data.features.tcgUnsupported.length} beyond TCG, ${data.features.dependencies.length} dependent`
          : ''),
    );
  }
}
