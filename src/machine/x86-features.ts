/**
 * The feature flags of an x86 vCPU, as x86_cpu_expand_features and x86_cpu_filter_features
 * settle them at realize: the model's flags (compat/cpus/, read from the binary), the flags the
 * -cpu option sets (globals first, then the legacy `+flag` and `-flag` lists), flags dropped for
 * want of the flags they depend on or for a conflict (warned of when the user asked for them),
 * then, under TCG, the flags TCG cannot give (warned of unless check=off; an error with
 * enforce=on). Under KVM the host CPU decides the last step, which hotmem does not model.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import { parseBool } from '../core/parse/scalars.js';
import type { Release } from '../core/release.js';
import type { X86Features } from './cpu-data/format.js';
import type { Accelerator } from './machine.js';
import type { CpuOption } from './x86-cpu.js';

export interface RealizedX86Features {
  /** Property values every vCPU of the model answers qom-get with, where they differ from off. */
  readonly values: ReadonlyArray<readonly [property: string, on: boolean]>;
  readonly warnings: readonly Warning[];
  readonly error?: HotmemError;
}

const warning = (message: string): Warning => ({ code: 'machine.cpu-feature', message });

/**
 * The flags of `option` on `cpuType` under `accel`; undefined when the model does not expand
 * under TCG (`host`), whose realize the binary's recorded lines describe. `propertyType(name)`
 * is the CPU type's property's type (the legacy lists set bool ones only). Under TCG the lines
 * are the ones the binary printed for the model alone (`recorded`, which also holds what the
 * flag data does not describe: a deprecated model's note, an AVX10 version TCG lacks), less the
 * lines of flags the option turns off and plus those of flags it turns on, in QEMU's order.
 */
export function realizeX86Features(
  data: X86Features,
  recorded: readonly Warning[],
  option: CpuOption,
  cpuType: string,
  accel: Accelerator,
  r: Release,
  propertyType: (name: string) => string | undefined,
): RealizedX86Features | undefined {
  const index = data.models[option.model];
  if (index === undefined) return undefined;
  const canonical = (name: string): string | undefined => (data.flags.includes(name) ? name : data.aliases[name]);
  // What the properties ask for, in the order they are set: globals, then +flags, then -flags.
  const asked = new Map<string, boolean>();
  const settings: Record<string, boolean> = { check: true, enforce: false };
  for (const { name, value } of option.props) {
    const parsed = parseBool(value, r);
    if (!parsed.ok) continue;
    const flag = canonical(name);
    if (flag !== undefined) asked.set(flag, parsed.value);
    else if (name in settings) settings[name] = parsed.value;
  }
  for (const [list, on] of [
    [option.plus, true],
    [option.minus, false],
  ] as const) {
    for (const name of list) {
      const type = propertyType(name);
      if (type === undefined) return { values: [], warnings: [], error: new HotmemError('machine.cpu-feature', `Property '${cpuType}.${name}' not found`) };
      if (type !== 'bool') {
        return {
          values: [],
          warnings: [],
          error: new HotmemError('machine.cpu-feature', `hotmem does not model '${on ? '+' : '-'}${name}' on the ${type} property '${name}'`),
        };
      }
      const flag = canonical(name);
      if (flag !== undefined) asked.set(flag, on);
      else if (name in settings) settings[name] = on;
    }
  }
  const model = data.sets[index]!;
  const mine = settle(data, model, asked, accel, settings['check']! || settings['enforce']!);
  const touched = new Set([...model, ...asked.keys()]);
  const values: (readonly [string, boolean])[] = [...touched].map((f) => [f, mine.flags.has(f)] as const);
  for (const [alias, flag] of Object.entries(data.aliases)) if (touched.has(flag)) values.push([alias, mine.flags.has(flag)]);
  let warnings: readonly Warning[] = mine.warnings.map(warning);
  let filtered = mine.filtered;
  if (accel === 'tcg') {
    const alone = modelFeatureLines(data, option.model);
    warnings = merged(
      recorded.filter((w) => !alone.includes(w.message) || mine.warnings.includes(w.message)),
      mine.warnings.filter((l) => !alone.includes(l)),
      mine.warnings,
    );
    if (!settings['check'] && !settings['enforce']) warnings = warnings.filter((w) => !w.message.startsWith(TCG_LACKS));
    filtered ||= recorded.some((w) => w.message.startsWith(TCG_LACKS) && !alone.includes(w.message));
  }
  return {
    values,
    warnings,
    ...(filtered && settings['enforce'] ? { error: new HotmemError('machine.cpu-feature', "TCG doesn't support requested features") } : {}),
  };
}

const TCG_LACKS = "TCG doesn't support requested feature: ";

/** The lines the model alone gets from its flags under TCG, as the flag data computes them. */
export function modelFeatureLines(data: X86Features, model: string): readonly string[] {
  const index = data.models[model];
  return index === undefined ? [] : settle(data, data.sets[index]!, new Map(), 'tcg', true).warnings;
}

/**
 * The recorded lines kept, with the added ones among them where `order` (the lines computed for
 * the option) puts them; recorded lines the computation does not know keep their place.
 */
function merged(kept: readonly Warning[], added: readonly string[], order: readonly string[]): Warning[] {
  const out: Warning[] = [];
  let next = 0;
  for (const w of kept) {
    const at = order.indexOf(w.message);
    if (at >= 0) while (next < added.length && order.indexOf(added[next]!) < at) out.push(warning(added[next++]!));
    out.push(w);
  }
  while (next < added.length) out.push(warning(added[next++]!));
  return out;
}

/** x86_cpu_expand_features' dependency and conflict drops, then the accelerator's filter. */
function settle(
  data: X86Features,
  model: readonly string[],
  asked: ReadonlyMap<string, boolean>,
  accel: Accelerator,
  check: boolean,
): { readonly flags: ReadonlySet<string>; readonly warnings: string[]; readonly filtered: boolean } {
  const flags = new Set(model);
  for (const [flag, on] of asked) {
    if (on) flags.add(flag);
    else flags.delete(flag);
  }
  const warnings: string[] = [];
  // Only a flag the user turned on is warned of; the model's own drop silently.
  const drop = (flag: string, line: string) => {
    flags.delete(flag);
    if (asked.get(flag) === true) warnings.push(line);
  };
  for (const [flag, needs, descriptor] of data.dependencies) {
    if (flags.has(flag) && needs.some((n) => !flags.has(n))) drop(flag, `This feature depends on other features that were not requested: ${descriptor}`);
  }
  const conflicting = data.conflicts.filter(([flag, others]) => flags.has(flag) && others.some((o) => flags.has(o)));
  for (const [flag, , line] of conflicting) drop(flag, line);
  let filtered = false;
  if (accel === 'tcg') {
    for (const [flag, descriptor] of data.tcgUnsupported) {
      if (!flags.has(flag)) continue;
      flags.delete(flag);
      filtered = true;
      if (check) warnings.push(`${TCG_LACKS}${descriptor}`);
    }
  }
  return { flags, warnings, filtered };
}
