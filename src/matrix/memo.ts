/**
 * Sharing whole cell results between machine types. A cell's answer depends on its machine type
 * only through what a start reads of it: the catalog entry's family, description and deprecation,
 * each version threshold the board asks (MachineVersion.atLeast), and the machine compat entries
 * behind each stored property value read (the QOM read point) or looked up by driver. Its name
 * the model only passes through, into messages and the machine's QOM type name. So a cell is
 * evaluated recording those reads, and a later cell that differs from it only in the machine
 * type takes its result, with the name put back, when every recorded read answers the same for
 * its own machine type: sound by construction, as far as the reads are all recorded (the read
 * points are the only way to them) and the name is never decided on.
 *
 * What makes a matrix eligible keeps the rest of that argument true: one machine-types
 * dimension, used in the scenario and every destination exactly as `machine.type` and nowhere
 * else (so every machine a cell starts is of the cell's machine type), and not in a rule's glob.
 * The memo key holds every other coordinate and which rules select the cell (a rule's `when`
 * may read the machine). Names that the matrix file writes out, or that a result holds besides
 * its own name, share nothing, as their text could be taken for the templated name.
 */
import type { Arch } from '../core/arch.js';
import { releaseName, type Release } from '../core/release.js';
import type { MachineDefinition } from '../frontends/yaml/definition.js';
import type { MachineCatalog, MachineTypeEntry } from '../machine/catalog.js';
import type { MachineTypeReads } from '../machine/machine-type-reads.js';
import type { GlobalProperty } from '../qom/globals.js';
import type { PropertyOrigin } from '../qom/provenance.js';
import type { RegistryView } from '../qom/registry.js';
import type { CellRunner, WatchMachine } from './cell.js';
import type { Cell } from './expand.js';
import { FilterMemo } from './filter.js';
import type { CellResult } from './results.js';
import type { Matrix } from './spec.js';
import type { Template, TemplateNode } from './template.js';

/** One read of the cell's machine type, in one release, with the answer it got. */
type Read =
  | { readonly kind: 'entry'; readonly at: Site; readonly answer: string }
  | { readonly kind: 'version'; readonly at: Site; readonly major: number; readonly minor: number; readonly answer: boolean }
  | {
      readonly kind: 'stored';
      readonly at: Site;
      readonly type: string;
      readonly machineObject: boolean;
      readonly property: string;
      readonly view: RegistryView;
      readonly answer: string;
    }
  | { readonly kind: 'compat'; readonly at: Site; readonly driver: string; readonly property: string; readonly answer: string };

/** A release and arch a cell started its machine type in, and that binary's catalog. */
interface Site {
  readonly release: Release;
  readonly arch: Arch;
  readonly key: string;
  readonly catalog: MachineCatalog;
}

/** What one machine type is in one release: its entry and its compat entries by property. */
interface TypeFacts {
  readonly entry: MachineTypeEntry | undefined;
  readonly byProperty: ReadonlyMap<string, readonly GlobalProperty[]>;
}

const entryAnswer = (e: MachineTypeEntry | undefined): string =>
  e === undefined || e.version === undefined ? 'none' : [e.family, e.description, e.deprecationReason ?? ''].join('\0');

const atLeast = (e: MachineTypeEntry | undefined, major: number, minor: number): boolean | undefined =>
  e?.version === undefined ? undefined : e.version.major > major || (e.version.major === major && e.version.minor >= minor);

/** A recorded set of reads, shared by every class that made the same reads with the same answers. */
class ReadSet {
  /** Per machine type name: whether every read answers the same for it. */
  readonly #verdicts = new Map<string, boolean>();

  constructor(readonly reads: readonly Read[]) {}

  holdsFor(name: string, facts: Facts): boolean {
    let verdict = this.#verdicts.get(name);
    if (verdict === undefined) this.#verdicts.set(name, (verdict = this.reads.every((r) => facts.answer(r, name) === answerOf(r))));
    return verdict;
  }
}

const answerOf = (r: Read): string | boolean => r.answer;

/** Catalog answers per release, arch and machine type, computed once. */
class Facts {
  readonly #types = new Map<string, TypeFacts>();
  /** Answers by machine type and read key: cells of one type make the same reads again and again. */
  readonly #answers = new Map<string, Map<string, string>>();

  /** The answer a recording keeps for its own machine type `name`, under the read's `key`. */
  recorded(name: string, key: string, read: () => Read): string {
    let answers = this.#answers.get(name);
    if (answers === undefined) this.#answers.set(name, (answers = new Map<string, string>()));
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = String(this.answer(read(), name))));
    return answer;
  }

  of(at: Site, name: string): TypeFacts {
    const key = `${at.key} ${name}`;
    let facts = this.#types.get(key);
    if (facts === undefined) {
      const catalog = at.catalog;
      const entry = catalog.resolve(at.release, at.arch, name);
      const byProperty = new Map<string, GlobalProperty[]>();
      if (entry?.version !== undefined) {
        for (const g of catalog.compatProperties(at.release, at.arch, name)) {
          const list = byProperty.get(g.property);
          if (list) list.push(g);
          else byProperty.set(g.property, [g]);
        }
      }
      this.#types.set(key, (facts = { entry, byProperty }));
    }
    return facts;
  }

  /** What the read answers for machine type `name` (undefined: the type is not there). */
  answer(r: Read, name: string): string | boolean | undefined {
    const facts = this.of(r.at, name);
    switch (r.kind) {
      case 'entry':
        return entryAnswer(facts.entry);
      case 'version':
        return atLeast(facts.entry, r.major, r.minor);
      case 'compat':
        return compatText(facts.byProperty.get(r.property)?.filter((g) => g.driver === r.driver) ?? [], name);
      case 'stored': {
        if (!r.view.properties(r.type).has(r.property)) return 'absent';
        const machineType = `${name}-machine`;
        // The machine object's own QOM type is named after the machine type; its ancestors are the family's.
        const applies = (g: GlobalProperty) =>
          r.machineObject ? g.driver === machineType || (g.driver !== r.type && r.view.isA(r.type, g.driver)) : r.view.isA(r.type, g.driver);
        return compatText((facts.byProperty.get(r.property) ?? []).filter(applies), name);
      }
    }
  }
}

/**
 * The entries' values and where they come from (an origin names the compat array, and the machine
 * type, which is the name passed through when it is the machine's own), in order.
 */
const compatText = (entries: readonly GlobalProperty[], name: string): string =>
  entries.map((g) => `${g.value}\0${g.source?.array ?? ''}\0${g.source === undefined || g.source.machine === name ? '' : g.source.machine}`).join('\n');

/**
 * Whether a value of this origin could be another for another machine type: one its compat set
 * (or a value resolved from such), or none set at all, which its compat might have. A -global's, a
 * property's own or -mem-prealloc's came later and are the same for every machine type; a
 * setter's own reads of the compat value were recorded when it ran.
 */
function machineMayDecide(origin: PropertyOrigin | undefined): boolean {
  if (origin === undefined) return true;
  switch (origin.kind) {
    case 'compat':
      return origin.layer === 'machine';
    case 'resolved':
      return machineMayDecide(origin.origin);
    case 'explicit':
    case 'global':
      return false;
    case 'class-default':
      return true;
  }
}

/** The reads one cell makes, as it runs. */
class Recording {
  readonly #reads = new Map<string, Read>();

  constructor(
    readonly name: string,
    readonly facts: Facts,
    readonly catalog: (def: MachineDefinition) => MachineCatalog,
  ) {}

  #add(key: string, make: () => Read): void {
    if (!this.#reads.has(key)) this.#reads.set(key, make());
  }

  watcher(def: MachineDefinition): MachineTypeReads {
    const at: Site = { release: def.host.qemu, arch: def.host.arch, key: `${releaseName(def.host.qemu)} ${def.host.arch}`, catalog: this.catalog(def) };
    const name = this.name;
    const machineType = `${name}-machine`;
    this.#add(`${at.key} entry`, () => ({ kind: 'entry', at, answer: entryAnswer(this.facts.of(at, name).entry) }));
    // A start reads the same few properties many times: each is keyed once.
    const seen = new Map<string, Set<string>>();
    return {
      versionAtLeast: (major, minor, answer) => this.#add(`${at.key} v ${major}.${minor}`, () => ({ kind: 'version', at, major, minor, answer })),
      compatLookup: (driver, property) => {
        const key = `${at.key} c ${driver}\0${property}`;
        if (this.#reads.has(key)) return;
        const read = (answer: string): Read => ({ kind: 'compat', at, driver, property, answer });
        this.#reads.set(key, read(this.facts.recorded(name, key, () => read(''))));
      },
      read: (obj, property, origin) => {
        if (!machineMayDecide(origin)) return;
        let properties = seen.get(obj.type);
        if (properties === undefined) seen.set(obj.type, (properties = new Set()));
        if (properties.has(property)) return;
        properties.add(property);
        const machineObject = obj.type === machineType;
        // The machine object's type is keyed without its name, so equal reads of two machine types look alike.
        const key = `${at.key} s ${machineObject ? '<machine>' : obj.type}\0${property}`;
        if (this.#reads.has(key)) return;
        const read = (answer: string): Read => ({ kind: 'stored', at, type: obj.type, machineObject, property, view: obj.model.view, answer });
        this.#reads.set(key, read(this.facts.recorded(name, key, () => read(''))));
      },
    };
  }

  /**
   * The reads in the order made, and their signature: cells that take the same path make them in
   * the same order, and two orders of one set only keep two equal sets apart.
   */
  finish(): { readonly reads: readonly Read[]; readonly signature: string } {
    let signature = '';
    for (const [key, read] of this.#reads) signature += `${key}=${String(read.answer)}\n`;
    return { reads: [...this.#reads.values()], signature };
  }
}

/** A result with its machine type's name taken out, filled in again for another. */
type Fill = (name: string) => unknown;

function template(value: unknown, name: string): Fill | undefined {
  if (typeof value === 'string') {
    if (!value.includes(name)) return undefined;
    const parts = value.split(name);
    return (n) => parts.join(n);
  }
  if (Array.isArray(value)) {
    const items = value as readonly unknown[];
    const fills = items.map((v) => template(v, name));
    if (fills.every((f) => f === undefined)) return undefined;
    return (n) => items.map((v, i): unknown => (fills[i] ? fills[i](n) : v));
  }
  if (value !== null && typeof value === 'object') {
    const entries: ReadonlyArray<readonly [string, unknown]> = Object.entries(value);
    const fills = entries.map(([, v]) => template(v, name));
    if (fills.every((f) => f === undefined)) return undefined;
    return (n) => {
      const out: Record<string, unknown> = {};
      entries.forEach(([k, v], i) => (out[k] = fills[i] ? fills[i](n) : v));
      return out;
    };
  }
  return undefined;
}

/** A result and the reads that made it. */
class ResultClass {
  readonly #rest: Omit<CellResult, 'index' | 'coordinates'>;
  readonly #fill: Fill | undefined;
  readonly #text: string;

  constructor(
    readonly reads: ReadSet,
    readonly name: string,
    result: CellResult,
  ) {
    const { index: _index, coordinates: _coordinates, ...rest } = result;
    this.#rest = rest;
    this.#fill = template(rest, name);
    this.#text = JSON.stringify(rest);
  }

  /** The result for `cell` of machine type `name`, if this class holds for it. */
  resultFor(cell: Cell, name: string, facts: Facts): CellResult | undefined {
    if (name !== this.name && this.#text.includes(name)) return undefined;
    if (!this.reads.holdsFor(name, facts)) return undefined;
    const rest = (this.#fill ? this.#fill(name) : this.#rest) as Omit<CellResult, 'index' | 'coordinates'>;
    return { index: cell.index, coordinates: cell.coordinates, ...rest } as CellResult;
  }
}

/** The machine-types dimension a memo shares results across, or why there is none. */
export function memoDimension(matrix: Matrix): { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string } {
  const machines = matrix.dimensions.filter((d) => d.kind === 'machine-types');
  if (machines.length !== 1) return { ok: false, reason: `${machines.length} machine-types dimensions` };
  const name = machines[0]!.name;
  for (const [label, t] of [['scenario', matrix.scenario] as const, ...[...matrix.destinations].map(([n, d]) => [`destination ${n}`, d] as const)]) {
    if (!onlyAsMachineType(t, name)) return { ok: false, reason: `the ${label} uses \${${name}} other than as its whole machine.type` };
  }
  for (const rule of matrix.rules) {
    if (rule.then.some((t) => t.expected.kind === 'matches' && t.expected.text.some((p) => p.kind === 'ref' && p.ref.dimension === name))) {
      return { ok: false, reason: `rule ${rule.label} matches a glob holding \${${name}}` };
    }
  }
  return { ok: true, name };
}

function onlyAsMachineType(t: Template, dimension: string): boolean {
  const uses = t.uses.filter((u) => u.ref.dimension === dimension);
  const machine = entryOf(t.node, 'machine');
  const type = machine && entryOf(machine, 'type');
  return uses.length === 1 && type?.kind === 'whole' && type.ref.dimension === dimension && type.ref.field === undefined;
}

const entryOf = (node: TemplateNode, key: string): TemplateNode | undefined => (node.kind === 'map' ? node.entries.find(([k]) => k === key)?.[2] : undefined);

/**
 * Results kept at most, a few kilobytes each with their templates: when a run has made more, the
 * memo starts afresh (cells of one release follow each other, and a key holds the release), so a
 * worker's memory stays bounded however many cells it runs.
 */
export const MAX_CLASSES = 10_000;

/**
 * Runs cells through a CellRunner, sharing results across machine types as above; a matrix that
 * is not eligible runs every cell.
 */
export class CellMemo {
  readonly #dimension: string | undefined;
  readonly #facts: Facts;
  readonly #selection = new FilterMemo();
  readonly #classes = new Map<string, ResultClass[]>();
  readonly #readSets = new Map<string, ReadSet>();
  /** Whether the matrix file writes a machine type's name out (then its cells share nothing). */
  readonly #written = new Map<string, boolean>();
  #kept = 0;
  /** Cells evaluated, and cells answered from an earlier result. */
  evaluated = 0;
  shared = 0;

  constructor(readonly runner: CellRunner) {
    const dimension = memoDimension(runner.matrix);
    this.#dimension = dimension.ok ? dimension.name : undefined;
    this.#facts = new Facts();
  }

  run(cell: Cell): CellResult {
    const dimension = this.#dimension;
    const name = dimension === undefined ? undefined : cell.coordinates[dimension];
    if (dimension === undefined || name === undefined || this.#writtenOut(name)) {
      this.evaluated++;
      return this.runner.run(cell);
    }
    const key = this.#key(cell, dimension);
    const classes = this.#classes.get(key);
    if (classes) {
      for (const c of classes) {
        const result = c.resultFor(cell, name, this.#facts);
        if (result) {
          this.shared++;
          return result;
        }
      }
    }
    this.evaluated++;
    const recording = new Recording(name, this.#facts, (def) => this.runner.env.machineEnvironment(def).catalog);
    const watch: WatchMachine = (def) => recording.watcher(def);
    const result = this.runner.run(cell, watch);
    const { reads, signature } = recording.finish();
    let set = this.#readSets.get(signature);
    if (!set) this.#readSets.set(signature, (set = new ReadSet(reads)));
    const made = new ResultClass(set, name, result);
    if (++this.#kept > MAX_CLASSES) {
      this.#classes.clear();
      this.#readSets.clear();
      this.#kept = 1;
      this.#classes.set(key, [made]);
    } else if (classes) classes.push(made);
    else this.#classes.set(key, [made]);
    return result;
  }

  #writtenOut(name: string): boolean {
    let written = this.#written.get(name);
    if (written === undefined) this.#written.set(name, (written = this.runner.matrix.text.includes(name)));
    return written;
  }

  /** Every coordinate but the machine type, and which rules select the cell. */
  #key(cell: Cell, dimension: string): string {
    let key = '';
    for (const d of this.runner.matrix.dimensions) if (d.name !== dimension) key += `${cell.coordinates[d.name]!}\0`;
    for (const rule of this.runner.matrix.rules) key += rule.when === undefined || this.#selection.matches(rule.when, cell.coordinates) ? '1' : '0';
    return key;
  }
}
