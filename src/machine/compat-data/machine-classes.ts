/**
 * The machine classes one release's qemu-system-<arch> defines, computed the way QEMU's class_init
 * functions compute them: a series version runs the next newer version's options first and then
 * adds its own compat arrays, so each version's list is the newer one's plus its own, and an older
 * version's entries come later and win (hw/i386/pc_piix.c, hw/i386/pc_q35.c,
 * hw/s390x/s390-virtio-ccw.c).
 */
import type { Arch } from '../../core/arch.js';
import { inWindow, release as parseRelease, type Release } from '../../core/release.js';
import type { RequirementDoc, SeriesDoc, VersionDoc } from './documents.js';
import { lifecycleVerdict } from './lifecycle.js';
import { arrayOf, machinesOf, type CompatModel } from './model.js';
import type { MachineType, QemuEnvironment } from './types.js';
import { machineRelease, newestFirst } from './versions.js';

/** A machine class as the source defines it; `deleted` ones are never registered (9.1+ lifecycle). */
export interface MachineClass extends MachineType {
  readonly deleted: boolean;
}

/** A series version with what its options function leaves behind, before the per-type class_init. */
interface ChainLink {
  readonly version: VersionDoc;
  readonly compatArrays: readonly string[];
  readonly deprecationReason: string | null;
}

/** The desc text release `r` words the series with (check.ts makes sure exactly one window covers it). */
function seriesDesc(series: SeriesDoc, r: Release): string | undefined {
  return typeof series.desc === 'string' ? series.desc : series.desc.find((d) => inWindow(r, d))?.text;
}

function activeRequirements(r: Release, requirements: readonly RequirementDoc[]): string[] {
  return requirements.flatMap((req) => (typeof req === 'string' ? [req] : inWindow(r, req) ? [req.feature] : []));
}

/** The options chain of a series, newest version first, as release `r` has it. */
function optionsChain(model: CompatModel, r: Release, series: SeriesDoc): ChainLink[] {
  const present = (name: string): boolean => inWindow(r, arrayOf(model, name).doc);
  let compatArrays = (series.base ?? []).filter(present);
  let deprecationReason: string | null = null;
  return series.versions
    .filter((v) => inWindow(r, v))
    .sort((a, b) => newestFirst(a.version, b.version))
    .map((version) => {
      compatArrays = [...compatArrays, ...(version.compat ?? []).filter(present)];
      deprecationReason = version.deprecated?.find((d) => inWindow(r, d))?.reason ?? deprecationReason;
      return { version, compatArrays, deprecationReason };
    });
}

export function machineClasses(model: CompatModel, releaseText: string, arch: Arch, env: QemuEnvironment): MachineClass[] {
  const r = parseRelease(releaseText);
  const doc = machinesOf(model, arch);
  const chains = new Map(doc.series.map((s) => [s.id, optionsChain(model, r, s)] as const));
  const chainOf = (id: string): ChainLink[] => chains.get(id) ?? [];

  const seriesClasses = doc.series.flatMap((series) => {
    const desc = seriesDesc(series, r);
    if (desc === undefined) throw new Error(`internal: series ${series.id} has no desc for ${releaseText}`);
    return chainOf(series.id).map((link, index): MachineClass => {
      const { version } = link.version;
      // MACHINE_VER_DEPRECATION runs after the options chain, so its reason replaces an older one.
      const verdict = lifecycleVerdict(model.lifecycle, r, machineRelease(version), env);
      const deprecationReason = verdict.kind === 'deprecated' ? verdict.reason : link.deprecationReason;
      const latest = index === 0;
      return {
        name: link.version.name ?? `${series.id}-${version}`,
        desc: desc.replaceAll('{version}', version),
        alias: latest ? series.latest.alias : null,
        isDefault: latest && series.latest.isDefault,
        deprecated: deprecationReason !== null,
        deprecationReason,
        family: series.family ?? null,
        series: { id: series.id, version },
        requires: activeRequirements(r, [...series.requires, ...(link.version.requires ?? [])]),
        compatArrays: link.compatArrays,
        deleted: verdict.kind === 'deleted',
      };
    });
  });

  const standaloneClasses = doc.machines
    .filter((m) => inWindow(r, m))
    .map((m): MachineClass => {
      const base = m.basedOn && chainOf(m.basedOn.series).find((link) => link.version.version === m.basedOn?.version);
      if (m.basedOn && !base) throw new Error(`internal: ${m.name} is based on a version ${releaseText} lacks`);
      const own = (m.compat ?? []).filter((name) => inWindow(r, arrayOf(model, name).doc));
      const family = m.basedOn ? (doc.series.find((s) => s.id === m.basedOn?.series)?.family ?? null) : (m.family ?? null);
      const deprecationReason = base?.deprecationReason ?? null;
      return {
        name: m.name,
        desc: m.desc,
        alias: m.alias ?? null,
        isDefault: false,
        deprecated: deprecationReason !== null,
        deprecationReason,
        family,
        series: null,
        requires: activeRequirements(r, m.requires ?? []),
        compatArrays: [...(base?.compatArrays ?? []), ...own],
        deleted: false,
      };
    });

  return [...seriesClasses, ...standaloneClasses];
}
