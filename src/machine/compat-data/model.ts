/** The compat documents indexed for queries: arrays by name, machine documents by arch. */
import { ARCHES, type Arch } from '../../core/arch.js';
import type { ArrayDoc, CompatDocuments, DistributionBuildDoc, EntryDoc, LifecycleDoc, MachinesDoc, WindowDoc } from './documents.js';
import { compatErrors } from './errors.js';
import type { BuildFeature, QemuRelease } from './types.js';

export interface IndexedArray {
  readonly name: string;
  readonly source: string;
  readonly doc: ArrayDoc;
}

export interface CompatModel {
  readonly releases: readonly QemuRelease[];
  readonly lifecycle: readonly LifecycleDoc[];
  readonly features: readonly BuildFeature[];
  readonly builds: readonly DistributionBuildDoc[];
  readonly arrays: ReadonlyMap<string, IndexedArray>;
  readonly machines: ReadonlyMap<Arch, MachinesDoc>;
}

export function indexDocuments(docs: CompatDocuments): CompatModel {
  const arrays = new Map<string, IndexedArray>();
  for (const { file, doc } of docs.arrays) {
    for (const [name, array] of Object.entries(doc.arrays)) {
      if (arrays.has(name)) throw compatErrors.error('compat.invalid-data', { file, problem: `array ${name} is defined twice` });
      arrays.set(name, { name, source: doc.source, doc: array });
    }
  }
  const machines = new Map<Arch, MachinesDoc>();
  for (const { file, doc } of docs.machines) {
    if (machines.has(doc.arch)) throw compatErrors.error('compat.invalid-data', { file, problem: `a second file for ${doc.arch}` });
    machines.set(doc.arch, doc);
  }
  for (const arch of ARCHES) {
    if (!machines.has(arch)) throw compatErrors.error('compat.invalid-data', { file: 'compat/machines', problem: `no machine types for ${arch}` });
  }
  return {
    releases: docs.releases.releases,
    lifecycle: docs.releases.machineLifecycle,
    features: docs.buildFeatures.features.map((f) => ({ ...f, when: f.when ?? null })),
    builds: docs.buildFeatures.builds ?? [],
    arrays,
    machines,
  };
}

/** A name known to be in the index (cross references are checked when the data is loaded). */
export function arrayOf(model: CompatModel, name: string): IndexedArray {
  const array = model.arrays.get(name);
  if (!array) throw new Error(`internal: compat array ${name} is not indexed`);
  return array;
}

export function machinesOf(model: CompatModel, arch: Arch): MachinesDoc {
  const doc = model.machines.get(arch);
  if (!doc) throw new Error(`internal: no machine document for ${arch}`);
  return doc;
}

/** An entry without its own since/until has its array's. */
export const entryWindow = (entry: EntryDoc, array: ArrayDoc): WindowDoc => ({
  since: entry.since ?? array.since,
  until: entry.until ?? array.until,
});
