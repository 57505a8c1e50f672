/**
 * -cpu MODEL[,features]: parse_cpu_option splits the model from its features, and the x86
 * target's x86_cpu_parse_featurestr turns each feature into a global property of the model's
 * CPU type, or into the legacy `+flag`/`-flag` lists applied when the CPU is realized. The same
 * in 5.2, 7.2, 10.0 and 11.1 (their binaries agree on every case of the conformance table).
 */
import { HotmemError, type Warning } from '../../core/errors.js';
import type { Arch } from '../../core/arch.js';
import { inWindow, type Release } from '../../core/release.js';
import type { CpuOption } from '../../machine/x86-cpu.js';
import { CPU_MODEL_DATA } from './data/qemu-options.js';

/** qemu_strtosz_metric's suffixes: powers of 1000. */
const METRIC = 'kmgtpe';

/** tsc-freq takes a metric size (`2.5G`); x86_cpu_parse_featurestr passes it on in Hz. */
function metricSize(text: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?([kKmMgGtTpPeE])?$/.exec(text);
  if (!m) return undefined;
  const scale = m[3] === undefined ? 1 : 1000 ** (METRIC.indexOf(m[3].toLowerCase()) + 1);
  const value = Math.trunc(Number(`${m[1]!}.${m[2] ?? '0'}`) * scale);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * x86_cpu_parse_featurestr: `+f`/`-f` as written; `f` alone is `f=on`; a property name has its
 * underscores turned to dashes (feat2prop); naming one flag both ways warns, once per clash, and
 * once more at the end. Returns the warnings and a `bad numerical value` error QEMU prints when
 * it parses the option (after the machine type is known).
 */
function parseX86Features(features: readonly string[]): Pick<CpuOption, 'props' | 'plus' | 'minus' | 'warnings' | 'error'> {
  const props: { name: string; value: string }[] = [];
  const plus: string[] = [];
  const minus: string[] = [];
  const warnings: Warning[] = [];
  let error: HotmemError | undefined;
  for (const feature of features) {
    if (feature.startsWith('+')) {
      plus.push(feature.slice(1));
      continue;
    }
    if (feature.startsWith('-')) {
      minus.push(feature.slice(1));
      continue;
    }
    const eq = feature.indexOf('=');
    let name = (eq < 0 ? feature : feature.slice(0, eq)).replaceAll('_', '-');
    let value = eq < 0 ? 'on' : feature.slice(eq + 1);
    for (const [list, sign] of [
      [plus, '+'],
      [minus, '-'],
    ] as const) {
      if (list.includes(name)) {
        warnings.push({ code: 'cmdline.cpu-ambiguous', message: `Ambiguous CPU model string. Don't mix both "${sign}${name}" and "${name}=${value}"` });
      }
    }
    if (name === 'tsc-freq') {
      const hz = metricSize(value);
      if (hz === undefined) {
        error = new HotmemError('cmdline.cpu', `bad numerical value ${value}`);
        break;
      }
      name = 'tsc-frequency';
      value = String(hz);
    }
    props.push({ name, value });
  }
  if (warnings.length > 0 && error === undefined) {
    warnings.push({ code: 'cmdline.cpu-ambiguous', message: "Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions" });
  }
  return { props, plus, minus, warnings, ...(error ? { error } : {}) };
}

/**
 * parse_cpu_option: the model must be one the release's binary lists (checked once the machine
 * type is known, so returned with the option). On x86_64 the features become the CPU type's
 * globals and legacy flag lists (x86-features.ts applies them); hotmem does not model s390x's
 * CPU features, so it refuses them by name rather than let a typo pass.
 */
export function checkCpu(text: string, r: Release, arch: Arch): { readonly option: CpuOption; readonly error: HotmemError | undefined } {
  const [model = '', ...rest] = text.split(',');
  if (model === 'help' || model === '?') throw new HotmemError('cmdline.cpu', 'hotmem prints no help for -cpu');
  // strtok skips empty tokens, so `qemu64,,` has no features.
  const features = rest.filter((f) => f !== '');
  if (arch !== 'x86_64' && features.length > 0) {
    throw new HotmemError('cmdline.cpu', `hotmem does not model the CPU property '${features[0]!.split('=')[0]!}' (-cpu ${text})`);
  }
  const models = CPU_MODEL_DATA.find((d) => d.arch === arch && inWindow(r, d))?.models ?? [];
  const known = models.includes(model);
  // An unknown model stops parse_cpu_option before its features are looked at.
  const parsed = known ? parseX86Features(features) : { props: [], plus: [], minus: [], warnings: [] };
  return { option: { model, ...parsed }, error: known ? undefined : new HotmemError('cmdline.cpu', `unable to find CPU model '${model}'`) };
}
