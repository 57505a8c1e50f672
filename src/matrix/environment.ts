/**
 * How a matrix runs its cells' definitions: through `hotmem run`'s environment (the modelled
 * binary of each release, its Linux guest, and whichever extra steps such as balloon and migrate
 * this build provides), with two differences a matrix needs.
 *
 * - Machine environments are kept per release and arch, and their catalogs' answers memoized:
 *   thousands of cells start machines of a handful of releases, and resolving a machine type or
 *   its compat properties from the compat data costs more than the rest of a small start-up.
 *   The answers are immutable data, so sharing them between machines changes nothing.
 * - Each run reports the machine the moment it has started, before its guest runs, which is
 *   where effective properties and the `start` memory point are read.
 */
import { RUN_ENVIRONMENT } from '../cli/commands/run.js';
import { releaseName, type Release } from '../core/release.js';
import type { Arch } from '../core/arch.js';
import type { MachineDefinition, StepKind } from '../frontends/yaml/definition.js';
import type { RunEnvironment } from '../frontends/yaml/run.js';
import type { MachineCatalog } from '../machine/catalog.js';
import type { Machine, MachineEnvironment } from '../machine/machine.js';
import type { MachineTypeReads } from '../machine/machine-type-reads.js';

function memoize<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  if (cache.has(key)) return cache.get(key)!;
  const value = compute();
  cache.set(key, value);
  return value;
}

function memoizedCatalog(catalog: MachineCatalog): MachineCatalog {
  const resolved = new Map<string, ReturnType<MachineCatalog['resolve']>>();
  const defaults = new Map<string, ReturnType<MachineCatalog['defaultMachine']>>();
  const lists = new Map<string, ReturnType<MachineCatalog['list']>>();
  const compat = new Map<string, ReturnType<MachineCatalog['compatProperties']>>();
  const at = (r: Release, arch: Arch) => `${releaseName(r)} ${arch}`;
  return {
    resolve: (r, arch, name) => memoize(resolved, `${at(r, arch)} ${name}`, () => catalog.resolve(r, arch, name)),
    defaultMachine: (r, arch) => memoize(defaults, at(r, arch), () => catalog.defaultMachine(r, arch)),
    list: (r, arch) => memoize(lists, at(r, arch), () => catalog.list(r, arch)),
    compatProperties: (r, arch, machine) => memoize(compat, `${at(r, arch)} ${machine}`, () => catalog.compatProperties(r, arch, machine)),
  };
}

/** Steps a definition may hold that `hotmem run` leaves to extra step handlers. */
const EXTRA_STEPS: readonly StepKind[] = ['balloon', 'migrate'];

export class MatrixEnvironment {
  readonly #machines = new Map<string, MachineEnvironment>();

  constructor(readonly base: RunEnvironment = RUN_ENVIRONMENT) {}

  machineEnvironment(def: MachineDefinition): MachineEnvironment {
    return memoize(this.#machines, `${releaseName(def.host.qemu)} ${def.host.arch}`, () => {
      const env = this.base.machineEnvironment(def);
      return { ...env, catalog: memoizedCatalog(env.catalog) };
    });
  }

  /**
   * The environment of one run; `watch` gives each machine a watcher of what it reads of its machine
   * type, and `started` sees the machine before its guest is attached.
   */
  forRun(watch: ((def: MachineDefinition) => MachineTypeReads) | undefined, started: (machine: Machine) => void): RunEnvironment {
    return {
      machineEnvironment: watch === undefined ? (def) => this.machineEnvironment(def) : (def) => ({ ...this.machineEnvironment(def), reads: watch(def) }),
      attachGuest: (machine, def) => {
        started(machine);
        return this.base.attachGuest(machine, def);
      },
      ...(this.base.extraSteps === undefined ? {} : { extraSteps: this.base.extraSteps }),
    };
  }

  /** Step kinds of the definition (and its migration destinations) this build cannot run. */
  unavailableSteps(def: MachineDefinition): StepKind[] {
    const kinds = new Set<StepKind>();
    const visit = (d: MachineDefinition): void => {
      for (const step of d.steps) {
        if (EXTRA_STEPS.includes(step.kind) && this.base.extraSteps?.[step.kind] === undefined) kinds.add(step.kind);
        if (step.kind !== 'migrate') continue;
        if (step.destination) visit(step.destination);
        visit({ ...d, steps: step.onDestination });
      }
    };
    visit(def);
    return [...kinds];
  }
}
