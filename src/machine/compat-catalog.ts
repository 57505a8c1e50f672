/**
 * The MachineCatalog the Machine asks, answered from the compat data in compat/: the machine
 * types a release registers for a build, and the compat properties each applies.
 */
import type { Arch } from '../core/arch.js';
import { releaseName, type Release } from '../core/release.js';
import type { GlobalProperty } from '../qom/globals.js';
import type { MachineCatalog, MachineTypeEntry } from './catalog.js';
import type { CompatData } from './compat-data/compat-data.js';
import type { BuildConfig, MachineType } from './compat-data/types.js';

function entry(type: MachineType): MachineTypeEntry {
  const version = type.series ? /^(\d+)\.(\d+)/.exec(type.series.version) : null;
  return {
    name: type.name,
    family: type.series?.id ?? type.name,
    version: version ? { major: Number(version[1]), minor: Number(version[2]) } : undefined,
    ...(type.alias === null ? {} : { alias: type.alias }),
    isDefault: type.isDefault,
    description: type.desc,
    deprecationReason: type.deprecationReason ?? undefined,
  };
}

/** `build` is the binary's configuration; absent, every build switch counts as on. */
export function compatCatalog(data: CompatData, build?: BuildConfig): MachineCatalog {
  // Answers by question: the data is immutable, and every start asks them again. The same compat
  // list each time also lets the object model match it against each type once.
  const resolved = new Map<string, MachineTypeEntry | undefined>();
  const compat = new Map<string, readonly GlobalProperty[]>();
  return {
    resolve(r: Release, arch: Arch, nameOrAlias: string) {
      const key = `${releaseName(r)} ${arch} ${nameOrAlias}`;
      if (!resolved.has(key)) {
        const type = data.resolveMachineType(releaseName(r), arch, nameOrAlias, build);
        resolved.set(key, type ? entry(type) : undefined);
      }
      return resolved.get(key);
    },
    defaultMachine(r: Release, arch: Arch) {
      const type = data.defaultMachineType(releaseName(r), arch, build);
      if (!type) throw new Error(`internal: compat data has no default machine for ${releaseName(r)} ${arch}`);
      return entry(type);
    },
    list(r: Release, arch: Arch) {
      return data.machineTypes(releaseName(r), arch, build).map(entry);
    },
    compatProperties(r: Release, arch: Arch, machine: string) {
      const key = `${releaseName(r)} ${arch} ${machine}`;
      let entries = compat.get(key);
      if (!entries) {
        entries = data.compatEntries(releaseName(r), arch, machine).map((e) => ({
          driver: e.driver,
          property: e.property,
          value: e.value,
          optional: e.optional,
          source: { array: e.array, machine },
        }));
        compat.set(key, entries);
      }
      return entries;
    },
  };
}
