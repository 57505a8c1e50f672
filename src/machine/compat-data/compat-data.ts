/**
 * Queries over hotmem's QEMU compat data: which releases are modelled, which machine types a
 * release's qemu-system-<arch> registers (for a given build), and which compat properties a
 * machine type applies, in QEMU's order. Built from compat/ by loadCompatData().
 */
import type { Arch } from '../../core/arch.js';
import { inWindow, release as parseRelease } from '../../core/release.js';
import { checkCompatData } from './check.js';
import type { CompatDocuments, DistributionName } from './documents.js';
import { compatErrors } from './errors.js';
import { formatMachineHelp, machineHelpOrder } from './machine-help.js';
import { lifecycleEnvKey } from './lifecycle.js';
import { machineClasses, type MachineClass } from './machine-classes.js';
import { arrayOf, entryWindow, indexDocuments, type CompatModel } from './model.js';
import {
  buildConfig,
  type BuildConfig,
  type BuildFeature,
  type CompatArray,
  type CompatEntry,
  type MachineType,
  type QemuEnvironment,
  type QemuRelease,
} from './types.js';

/** Per-release images (image.ts): the releases that have one, and how to read one. */
export interface ReleaseImages {
  readonly images: readonly string[];
  readonly read: (release: string) => CompatDocuments;
}

export class CompatData {
  /** Releases and build features (the same in every release's model). */
  readonly #model: () => CompatModel;
  /** The model that answers for one release: the whole data, or that release's image. */
  readonly #modelAt: (release: string) => CompatModel;
  /** The modelled releases' versions, known without reading a model. */
  readonly #versions: ReadonlySet<string>;
  /** Answers already computed (the data is immutable): machine classes and compat entries by query. */
  readonly #machineClasses = new Map<string, readonly MachineClass[]>();
  readonly #entries = new Map<string, readonly CompatEntry[]>();

  /**
   * From schema-valid documents (see readCompatDocuments), indexed and cross-checked; or from the
   * per-release images the build wrote from checked documents (image.ts), each read and indexed
   * when a query first asks about its release.
   */
  constructor(source: CompatDocuments | ReleaseImages) {
    if ('images' in source) {
      const models = new Map<string, CompatModel>();
      this.#modelAt = (release) => {
        let model = models.get(release);
        if (!model) {
          model = indexDocuments(source.read(release));
          models.set(release, model);
        }
        return model;
      };
      const newest = source.images.at(-1);
      if (newest === undefined) throw new Error('internal: compat images without releases');
      // Every image holds all releases, build features and builds: the first one read answers for
      // them, so a command about one release reads that release's image alone.
      this.#model = () => models.values().next().value ?? this.#modelAt(newest);
      this.#versions = new Set(source.images);
    } else {
      const model = indexDocuments(source);
      checkCompatData(model, source);
      this.#model = () => model;
      this.#modelAt = () => model;
      this.#versions = new Set(model.releases.map((r) => r.version));
    }
  }

  /** The model to answer a question about `version` from: its own where it is modelled (already read, or read for it). */
  #modelFor(version: string): CompatModel {
    return this.#versions.has(version) ? this.#modelAt(version) : this.#model();
  }

  /** Whether `version` (MAJOR.MINOR) is a modelled release. */
  isModelled(version: string): boolean {
    return this.#versions.has(version);
  }

  /** Modelled releases, oldest first. */
  releases(): readonly QemuRelease[] {
    return this.#model().releases;
  }

  /** The modelled release `version` (MAJOR.MINOR); an error names the modelled ones otherwise. */
  release(version: string): QemuRelease {
    const found = this.#modelFor(version).releases.find((r) => r.version === version);
    if (!found) throw compatErrors.error('compat.unknown-release', { release: version, known: this.#model().releases.map((r) => r.version) });
    return found;
  }

  newestRelease(): QemuRelease {
    const newest = this.#model().releases.at(-1);
    if (!newest) throw new Error('internal: no releases');
    return newest;
  }

  buildFeatures(arch: Arch): readonly BuildFeature[] {
    return this.#model().features.filter((f) => f.arch === arch);
  }

  /** What a plain ./configure on a Linux host builds: the features whose default is `on`. */
  defaultBuildConfig(arch: Arch): BuildConfig {
    return buildConfig(
      ...this.buildFeatures(arch)
        .filter((f) => f.default === 'on')
        .map((f) => f.name),
    );
  }

  /**
   * The build switches of a distribution's packaged qemu-system-<arch> of `release`
   * (compat/build-features.yaml `builds`), or undefined where hotmem has no record of one.
   */
  distributionBuild(name: DistributionName, release: string, arch: Arch): BuildConfig | undefined {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Debian is the one distribution recorded; the name keeps a second one apart
    const build = this.#modelFor(release).builds.find((b) => b.name === name && b.release === release);
    return build && buildConfig(...build[arch]);
  }

  /** The releases whose `name` build is recorded, oldest first. */
  distributionReleases(name: DistributionName): readonly string[] {
    const model = this.#model();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as in distributionBuild
    return model.releases.map((r) => r.version).filter((v) => model.builds.some((b) => b.name === name && b.release === v));
  }

  /**
   * The machine types the release's qemu-system-<arch> registers, in `-machine help` order. With
   * no `build`, every build feature counts as on: all the machine types the source can register.
   * `env` is the process environment (QEMU_DELETE_MACHINES matters from 9.1 to 10.0).
   */
  machineTypes(release: string, arch: Arch, build?: BuildConfig, env: QemuEnvironment = {}): readonly MachineType[] {
    return this.#registered(release, arch, build, env).sort(machineHelpOrder).map(publicView);
  }

  /** The machine type `-machine <nameOrAlias>` selects (find_machine: name or alias), if any. */
  resolveMachineType(release: string, arch: Arch, nameOrAlias: string, build?: BuildConfig, env: QemuEnvironment = {}): MachineType | undefined {
    const found = this.#registered(release, arch, build, env).find((m) => m.name === nameOrAlias || m.alias === nameOrAlias);
    return found && publicView(found);
  }

  /** The machine type used without -machine (MachineClass.is_default), if the build has one. */
  defaultMachineType(release: string, arch: Arch, build?: BuildConfig, env: QemuEnvironment = {}): MachineType | undefined {
    const found = this.#registered(release, arch, build, env).find((m) => m.isDefault);
    return found && publicView(found);
  }

  /**
   * The compat properties the machine type applies, in application order: base defaults, then
   * the newest version's arrays down to the machine's own; a later entry for the same driver and
   * property wins.
   */
  compatEntries(release: string, arch: Arch, nameOrAlias: string, env: QemuEnvironment = {}): readonly CompatEntry[] {
    const key = `${release} ${arch} ${lifecycleEnvKey(env)} ${nameOrAlias}`;
    let entries = this.#entries.get(key);
    if (!entries) {
      const machine = this.resolveMachineType(release, arch, nameOrAlias, undefined, env);
      if (!machine) throw compatErrors.error('compat.unknown-machine-type', { release, arch, machine: nameOrAlias });
      entries = machine.compatArrays.flatMap((name) => this.#arrayAt(release, name).entries);
      this.#entries.set(key, entries);
    }
    return entries;
  }

  /** Every compat array the release's source has, with the entries it has then. */
  compatArrays(release: string): readonly CompatArray[] {
    const r = parseRelease(this.release(release).version);
    return [...this.#modelAt(release).arrays.values()].filter((a) => inWindow(r, a.doc)).map((a) => this.#arrayAt(release, a.name));
  }

  /** The text `-machine help` prints for this release, target and build. */
  formatMachineHelp(release: string, arch: Arch, build: BuildConfig, env: QemuEnvironment = {}): string {
    return formatMachineHelp(this.machineTypes(release, arch, build, env));
  }

  #registered(release: string, arch: Arch, build: BuildConfig | undefined, env: QemuEnvironment): MachineClass[] {
    this.release(release);
    if (build) this.#checkBuild(arch, build);
    return this.#classes(release, arch, env).filter((m) => !m.deleted && (!build || m.requires.every((f) => build.features.has(f))));
  }

  /**
   * The machine classes of a release and target, computed once: the data never changes, and
   * every machine start, matrix cell and batch invocation asks again.
   */
  #classes(release: string, arch: Arch, env: QemuEnvironment): readonly MachineClass[] {
    const key = `${release} ${arch} ${lifecycleEnvKey(env)}`;
    let classes = this.#machineClasses.get(key);
    if (!classes) {
      classes = machineClasses(this.#modelAt(release), release, arch, env);
      this.#machineClasses.set(key, classes);
    }
    return classes;
  }

  #checkBuild(arch: Arch, build: BuildConfig): void {
    const known = this.buildFeatures(arch).map((f) => f.name);
    for (const feature of build.features) {
      if (!known.includes(feature)) throw compatErrors.error('compat.unknown-build-feature', { feature, arch, known });
    }
  }

  #arrayAt(release: string, name: string): CompatArray {
    const r = parseRelease(release);
    const { source, doc } = arrayOf(this.#modelAt(release), name);
    const machineVersion = doc.machineVersion ?? null;
    const entries = doc.entries
      .filter((e) => inWindow(r, entryWindow(e, doc)))
      .map((e): CompatEntry => ({
        driver: e.driver,
        property: e.property,
        value: e.value,
        optional: e.optional === true,
        array: name,
        source,
        release: machineVersion,
        addedIn: e.since ?? doc.since,
      }));
    return { name, source, release: machineVersion, entries };
  }
}

/** Drops the internal `deleted` flag: registered machine types only leave this module. */
function publicView({ deleted: _deleted, ...machine }: MachineClass): MachineType {
  return machine;
}
