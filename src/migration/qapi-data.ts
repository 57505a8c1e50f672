/**
 * QEMU's migration QAPI by release, from compat/migration.yaml: the capabilities
 * query-migrate-capabilities lists (enum order), the parameters query-migrate-parameters reports
 * with their types, defaults and the checks migrate-set-parameters runs (QEMU's exact messages),
 * and the keys of query-migrate's "ram". The file is schema-checked (compat/schema/
 * migration.schema.json) and cross-checked here, like the rest of compat/ (machine/compat-data).
 *
 * ```ts
 * migrationCapabilities(release('7.2'));            // ['xbzrle', 'rdma-pin-all', ...]
 * migrationParameters(release('7.2')).find((p) => p.name === 'downtime-limit')?.default; // 300
 * ```
 */
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { processCache } from '../core/process-cache.js';
import { compareReleases, inWindow, release as parseRelease, releaseName, type Release, type ReleaseWindow } from '../core/release.js';
import { compatErrors } from '../machine/compat-data/errors.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import { compileSchemas, readDocument } from '../machine/compat-data/read-documents.js';

// ---------------------------------------------------------------------------------------------
// What callers get

export type QapiFeature = 'deprecated' | 'unstable';

export interface MigrationCapabilitySpec {
  readonly name: string;
  /** The QAPI features the member has in this release. */
  readonly features: readonly QapiFeature[];
  /** query-migrate-capabilities leaves the capability out of builds without this switch. */
  readonly listedOnlyWith?: string;
}

/** The integer QAPI types of migration parameters. */
export type IntegerQapiType = 'int' | 'uint8' | 'uint32' | 'uint64' | 'size';
/** The type migrate-set-parameters takes for a member (MigrateSetParameters). */
export type SetQapiType = IntegerQapiType | 'bool' | 'str' | 'StrOrNull' | 'enum' | 'array';

export interface EnumValueSpec {
  readonly name: string;
  /** The value exists only in builds with this CONFIG_* switch. */
  readonly if?: string;
}

interface CheckBase {
  /** The members the check reads; the first is the one it is about. */
  readonly parameters: readonly string[];
  /** The check reads the value already set rather than the one given to migrate-set-parameters. */
  readonly readsCurrent: boolean;
  /** The check is compiled only with this CONFIG_* switch. */
  readonly if?: string;
}

/** One check of QEMU's migrate_params_check, with the error it gives. */
export type ParameterCheck =
  | (CheckBase & {
      readonly kind: 'range';
      readonly min?: number;
      readonly max?: number;
      /** The lower bound is this parameter's value (as it will be after the call). */
      readonly minParameter?: string;
      /** The check can only fail on hosts of this word size. */
      readonly hostBits?: 32;
      /** Exact text; `{SIZE_MAX}` stands for the host libc's stringified SIZE_MAX. */
      readonly message: string;
    })
  | (CheckBase & {
      readonly kind: 'power-of-two';
      /** The smallest power of two allowed; absent, the target page size. */
      readonly min?: number;
      readonly max?: number;
      readonly message: string;
    })
  | (CheckBase & { readonly kind: 'bitmap-alias-map'; readonly messagePrefix: string })
  | (CheckBase & { readonly kind: 'capability-conflict'; readonly capability: string; readonly message: string })
  | (CheckBase & { readonly kind: 'build-support'; readonly requires: string; readonly message: string });

/** The QAPI input visitor's error for a value beyond the member's C type. */
export interface SetTypeError {
  readonly max: number;
  /** Exact text, with the member's name filled in. */
  readonly message: string;
}

interface ParameterBase {
  readonly name: string;
  /** The QAPI type as qapi/migration.json writes it: uint8, MultiFDCompression, ['str']. */
  readonly qapiType: string;
  readonly setType: SetQapiType;
  /** The migration object's QOM property (-global migration.<property>=...), if any. */
  readonly property?: string;
  /** query-migrate-parameters reports the member always, or only once it was set. */
  readonly reportedWhen: 'always' | 'when-set';
  readonly features: readonly QapiFeature[];
  /** False where migrate-set-parameters accepts the member but does not apply it. */
  readonly appliedBySet: boolean;
  /** What migrate-set-parameters does with null (StrOrNull members). */
  readonly onNull?: 'empty-string' | 'assertion-failure';
  /** The checks that read this member, in migrate_params_check's order. */
  readonly validation: readonly ParameterCheck[];
  /** The QAPI input visitor's range error for the set type, where it has one. */
  readonly typeError?: SetTypeError;
}

/** A migration parameter in one release; `kind` tells its type and the type of its default. */
export type MigrationParameterSpec =
  | (ParameterBase & { readonly kind: 'integer'; readonly type: IntegerQapiType; readonly default: number })
  | (ParameterBase & { readonly kind: 'bool'; readonly default: boolean })
  | (ParameterBase & { readonly kind: 'str'; readonly default: string })
  | (ParameterBase & { readonly kind: 'enum'; readonly enum: string; readonly values: readonly EnumValueSpec[]; readonly default: string })
  | (ParameterBase & {
      readonly kind: 'array';
      /** The element type: a QAPI struct, or str. */
      readonly of: string;
      /** Undefined for members reported only when set. */
      readonly default: readonly never[] | undefined;
    });

export interface MigrationStatsKey {
  readonly name: string;
  readonly type: 'int' | 'uint64' | 'number';
  /** When the value is not simply the live counter. */
  readonly condition?: string;
}

// ---------------------------------------------------------------------------------------------
// The document (the shape compat/schema/migration.schema.json admits)

type Window = ReleaseWindow;
type FeatureDoc = Window & { readonly name: QapiFeature };
type ScalarTypeDoc = 'int' | 'uint8' | 'uint32' | 'uint64' | 'size' | 'number' | 'bool' | 'str' | 'StrOrNull';
type EnumTypeDoc = { readonly enum: string; readonly values: readonly (Window & { readonly name: string; readonly if?: string })[] };
type ArrayTypeDoc = { readonly array: string };
type ParameterValueDoc = number | boolean | string | readonly never[];

export interface ParameterDoc extends Window {
  readonly name: string;
  readonly type: ScalarTypeDoc | EnumTypeDoc | ArrayTypeDoc;
  readonly setTypes?: readonly (Window & { readonly type: ScalarTypeDoc })[];
  readonly property?: Window & { readonly name: string };
  readonly defaults?: readonly (Window & { readonly value: ParameterValueDoc })[];
  readonly reported: 'always' | 'when-set';
  readonly features?: readonly FeatureDoc[];
  readonly setIgnored?: readonly Window[];
  readonly onNull?: readonly (Window & { readonly effect: 'empty-string' | 'assertion-failure' })[];
}

type MessagesDoc = readonly (Window & { readonly text: string })[];
interface CheckDocBase extends Window {
  readonly parameters: readonly string[];
  readonly readsCurrent?: readonly Window[];
  readonly if?: string;
}
export type CheckDoc =
  | (CheckDocBase & {
      readonly kind: 'range';
      readonly min?: number;
      readonly max?: number;
      readonly minParameter?: string;
      readonly hostBits?: 32;
      readonly messages: MessagesDoc;
    })
  | (CheckDocBase & { readonly kind: 'power-of-two'; readonly min?: number; readonly max?: number; readonly messages: MessagesDoc })
  | (CheckDocBase & { readonly kind: 'bitmap-alias-map'; readonly messagePrefix: string })
  | (CheckDocBase & { readonly kind: 'capability-conflict'; readonly capability: string; readonly messages: MessagesDoc })
  | (CheckDocBase & { readonly kind: 'build-support'; readonly requires: string; readonly messages: MessagesDoc });

/** The document's shape, as compat/schema/migration.schema.json admits it. */
export interface MigrationDoc {
  readonly capabilities: {
    readonly members: readonly (Window & { readonly name: string; readonly features?: readonly FeatureDoc[]; readonly listedOnlyWith?: string })[];
  };
  readonly parameters: { readonly members: readonly ParameterDoc[] };
  readonly checks: { readonly members: readonly CheckDoc[] };
  readonly typeErrors: { readonly members: readonly { readonly type: 'uint8' | 'uint32'; readonly max: number; readonly message: string }[] };
  readonly statuses: { readonly members: readonly (Window & { readonly name: string })[] };
  readonly stats: {
    readonly reportedIn: readonly (Window & { readonly status: string })[];
    readonly members: readonly (Window & {
      readonly name: string;
      readonly type: MigrationStatsKey['type'];
      readonly condition?: string;
      readonly features?: readonly FeatureDoc[];
    })[];
  };
}

// ---------------------------------------------------------------------------------------------
// Reading and checking

const FILE = 'migration.yaml';

/** compat/migration.yaml as read: the file (relative to the package root) and its document. */
export interface MigrationDocument {
  readonly file: string;
  readonly doc: MigrationDoc;
}

/** Parses compat/migration.yaml and validates it against its schema. */
export function readMigrationDocument(compatDir: string): MigrationDocument {
  return readDocument<MigrationDoc>(compatDir, join(compatDir, FILE), compileSchemas(compatDir).migration);
}

/** The checks the schema cannot express; a failure names the file and the offending entry. */
class DocChecker {
  constructor(
    private readonly file: string,
    private readonly releases: readonly Release[],
  ) {}

  fail(problem: string): never {
    throw compatErrors.error('compat.invalid-data', { file: this.file, problem });
  }

  /** The window's bounds are modelled releases and it holds at least one release. */
  window(what: string, w: Window): void {
    for (const bound of [w.since, w.until]) {
      if (bound !== undefined && !this.releases.some((r) => releaseName(r) === bound)) this.fail(`${what}: ${bound} is not a modelled release`);
    }
    if (w.since !== undefined && w.until !== undefined && compareReleases(parseRelease(w.since), parseRelease(w.until)) >= 0) {
      this.fail(`${what}: empty window ${w.since} to ${w.until}`);
    }
  }

  /**
   * `inner` (a part of `outer`: a default, a feature, a message) holds only in releases where
   * `outer` does. A bound `inner` leaves out is `outer`'s, as an array entry takes its array's.
   */
  within(what: string, inner: Window, outer: Window): void {
    this.window(what, inner);
    const effective = { since: inner.since ?? outer.since, until: inner.until ?? outer.until };
    const outside = this.releases.find((r) => inWindow(r, effective) && !inWindow(r, outer));
    if (outside) this.fail(`${what}: reaches ${releaseName(outside)}, outside its owner's window`);
    if (!this.releases.some((r) => inWindow(r, effective))) this.fail(`${what}: holds in no release of its owner's window`);
  }

  /** The windows do not overlap, and (when `complete`) cover every release of `owner`. */
  history(what: string, entries: readonly Window[], owner: Window, complete: boolean): void {
    entries.forEach((e, i) => this.within(`${what}[${i}]`, e, owner));
    for (const r of this.releases.filter((x) => inWindow(x, owner))) {
      const n = entries.filter((e) => inWindow(r, e)).length;
      if (n > 1) this.fail(`${what}: ${n} entries hold in ${releaseName(r)}`);
      if (complete && n === 0) this.fail(`${what}: no entry holds in ${releaseName(r)}`);
    }
  }

  /** Releases in which `w` and each of `owners` hold. */
  common(w: Window, owners: readonly Window[]): Release[] {
    return this.releases.filter((r) => inWindow(r, w) && owners.every((o) => inWindow(r, o)));
  }

  unique(what: string, names: readonly string[]): void {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) this.fail(`${what} ${name} appears twice`);
      seen.add(name);
    }
  }
}

const isInteger = (t: ParameterDoc['type']): t is IntegerQapiType => t === 'int' || t === 'uint8' || t === 'uint32' || t === 'uint64' || t === 'size';

function checkValue(c: DocChecker, what: string, type: ParameterDoc['type'], value: ParameterValueDoc, releases: readonly Release[]): void {
  const ok =
    typeof type === 'object'
      ? 'enum' in type
        ? typeof value === 'string' && releases.every((r) => type.values.some((v) => v.name === value && inWindow(r, v)))
        : Array.isArray(value)
      : isInteger(type)
        ? typeof value === 'number'
        : type === 'bool'
          ? typeof value === 'boolean'
          : type === 'str'
            ? typeof value === 'string'
            : false;
  if (!ok) c.fail(`${what}: ${JSON.stringify(value)} is not a value of its type`);
}

function checkDoc(c: DocChecker, doc: MigrationDoc): void {
  const caps = doc.capabilities.members;
  c.unique(
    'capability',
    caps.map((m) => m.name),
  );
  for (const m of caps) {
    c.window(`capability ${m.name}`, m);
    (m.features ?? []).forEach((f, i) => c.within(`capability ${m.name} features[${i}]`, f, m));
  }

  c.unique(
    'status',
    doc.statuses.members.map((m) => m.name),
  );
  for (const m of doc.statuses.members) c.window(`status ${m.name}`, m);

  const params = doc.parameters.members;
  c.unique(
    'parameter',
    params.map((p) => p.name),
  );
  const paramByName = new Map(params.map((p) => [p.name, p]));
  for (const p of params) {
    const what = `parameter ${p.name}`;
    c.window(what, p);
    if (typeof p.type === 'object' && 'enum' in p.type) {
      c.unique(
        `${what} enum value`,
        p.type.values.map((v) => v.name),
      );
      p.type.values.forEach((v) => c.within(`${what} enum value ${v.name}`, v, p));
    }
    if (p.type === 'number' || p.type === 'StrOrNull') c.fail(`${what}: ${p.type} is not a query type of a parameter`);
    c.history(`${what} setTypes`, p.setTypes ?? [], p, false);
    if ((p.setTypes ?? []).some((s) => s.type === 'number')) c.fail(`${what}: number is not a set type of a parameter`);
    if (p.property) c.within(`${what} property`, p.property, p);
    if (p.defaults) {
      c.history(`${what} defaults`, p.defaults, p, true);
      p.defaults.forEach((d, i) => checkValue(c, `${what} defaults[${i}]`, p.type, d.value, c.common(d, [p])));
    }
    (p.features ?? []).forEach((f, i) => c.within(`${what} features[${i}]`, f, p));
    c.history(`${what} setIgnored`, p.setIgnored ?? [], p, false);
    const onNull = p.onNull ?? [];
    c.history(`${what} onNull`, onNull, p, false);
    const nullable = (r: Release): boolean => (p.setTypes ?? []).some((s) => s.type === 'StrOrNull' && inWindow(r, s));
    const inconsistent = c.common(p, []).find((r) => nullable(r) !== onNull.some((o) => inWindow(r, o)));
    if (inconsistent) c.fail(`${what}: onNull must hold exactly where the set type is StrOrNull (not so in ${releaseName(inconsistent)})`);
  }

  doc.checks.members.forEach((check, i) => {
    const what = `checks[${i}] (${check.parameters.join(', ')})`;
    c.window(what, check);
    for (const name of check.parameters) {
      const p = paramByName.get(name);
      if (!p) c.fail(`${what}: no parameter ${name}`);
      if (c.common(check, [p]).length === 0) c.fail(`${what}: never meets parameter ${name}`);
    }
    const live = c.common(
      check,
      check.parameters.map((n) => paramByName.get(n)).filter((p) => p !== undefined),
    );
    if (check.readsCurrent) c.history(`${what} readsCurrent`, check.readsCurrent, check, false);
    if ('messages' in check) {
      c.history(`${what} messages`, check.messages, check, false);
      const missing = live.find((r) => !check.messages.some((m) => inWindow(r, m)));
      if (missing) c.fail(`${what}: no message in ${releaseName(missing)}`);
    }
    if (check.kind === 'range') {
      if (check.min !== undefined && check.max !== undefined && check.min > check.max) c.fail(`${what}: min above max`);
      if (check.minParameter !== undefined && !check.parameters.includes(check.minParameter)) c.fail(`${what}: minParameter must be one of its parameters`);
    }
    if (check.kind === 'capability-conflict') {
      const cap = caps.find((m) => m.name === check.capability);
      if (!cap) c.fail(`${what}: no capability ${check.capability}`);
      const without = live.find((r) => !inWindow(r, cap));
      if (without) c.fail(`${what}: capability ${check.capability} does not exist in ${releaseName(without)}`);
    }
  });

  c.unique(
    'type error of',
    doc.typeErrors.members.map((t) => t.type),
  );

  c.unique(
    'stats key',
    doc.stats.members.map((m) => m.name),
  );
  for (const m of doc.stats.members) {
    c.window(`stats key ${m.name}`, m);
    (m.features ?? []).forEach((f, i) => c.within(`stats key ${m.name} features[${i}]`, f, m));
  }
  c.unique(
    'stats status',
    doc.stats.reportedIn.map((s) => s.status),
  );
  doc.stats.reportedIn.forEach((s) => c.window(`stats status ${s.status}`, s));
}

// ---------------------------------------------------------------------------------------------
// Per-release views

interface ReleaseView {
  readonly capabilities: readonly MigrationCapabilitySpec[];
  readonly capabilityNames: readonly string[];
  readonly statuses: readonly string[];
  readonly parameters: readonly MigrationParameterSpec[];
  readonly checks: readonly ParameterCheck[];
  readonly statsKeys: readonly MigrationStatsKey[];
  readonly statsStatuses: readonly string[];
}

const at = <T extends Window>(r: Release, entries: readonly T[] | undefined): T | undefined => entries?.find((e) => inWindow(r, e));
const featuresAt = (r: Release, features: readonly FeatureDoc[] | undefined): readonly QapiFeature[] =>
  Object.freeze((features ?? []).filter((f) => inWindow(r, f)).map((f) => f.name));

function buildCheck(r: Release, doc: CheckDoc): ParameterCheck {
  const base = {
    parameters: Object.freeze([...doc.parameters]),
    readsCurrent: at(r, doc.readsCurrent) !== undefined,
    ...(doc.if !== undefined && { if: doc.if }),
  };
  const message = (): string => {
    const m = 'messages' in doc ? at(r, doc.messages) : undefined;
    if (!m) throw new Error(`internal: compat/migration.yaml check on ${doc.parameters.join(', ')} has no message in ${releaseName(r)}`);
    return m.text;
  };
  switch (doc.kind) {
    case 'range':
      return Object.freeze({
        ...base,
        kind: doc.kind,
        ...(doc.min !== undefined && { min: doc.min }),
        ...(doc.max !== undefined && { max: doc.max }),
        ...(doc.minParameter !== undefined && { minParameter: doc.minParameter }),
        ...(doc.hostBits !== undefined && { hostBits: doc.hostBits }),
        message: message(),
      });
    case 'power-of-two':
      return Object.freeze({
        ...base,
        kind: doc.kind,
        ...(doc.min !== undefined && { min: doc.min }),
        ...(doc.max !== undefined && { max: doc.max }),
        message: message(),
      });
    case 'bitmap-alias-map':
      return Object.freeze({ ...base, kind: doc.kind, messagePrefix: doc.messagePrefix });
    case 'capability-conflict':
      return Object.freeze({ ...base, kind: doc.kind, capability: doc.capability, message: message() });
    case 'build-support':
      return Object.freeze({ ...base, kind: doc.kind, requires: doc.requires, message: message() });
  }
}

const qapiTypeName = (t: ParameterDoc['type']): string => (typeof t === 'string' ? t : 'enum' in t ? t.enum : `['${t.array}']`);

function buildParameter(
  r: Release,
  p: ParameterDoc,
  checks: readonly ParameterCheck[],
  typeErrors: MigrationDoc['typeErrors']['members'],
): MigrationParameterSpec {
  const type = p.type;
  const setTypeDoc = at(r, p.setTypes)?.type;
  const setType: SetQapiType =
    setTypeDoc !== undefined && setTypeDoc !== 'number'
      ? setTypeDoc
      : typeof type === 'string'
        ? (type as Exclude<ScalarTypeDoc, 'number' | 'StrOrNull'>)
        : 'enum' in type
          ? 'enum'
          : 'array';
  const typeError = typeErrors.find((t) => t.type === setType);
  const onNull = at(r, p.onNull)?.effect;
  const property = at(r, p.property ? [p.property] : undefined)?.name;
  const base: ParameterBase = {
    name: p.name,
    qapiType: qapiTypeName(type),
    setType,
    ...(property !== undefined && { property }),
    reportedWhen: p.reported,
    features: featuresAt(r, p.features),
    appliedBySet: at(r, p.setIgnored) === undefined,
    ...(onNull !== undefined && { onNull }),
    validation: Object.freeze(checks.filter((c) => c.parameters.includes(p.name))),
    ...(typeError && { typeError: Object.freeze({ max: typeError.max, message: typeError.message.replaceAll('{name}', p.name) }) }),
  };
  const value = at(r, p.defaults)?.value;
  const bad = (): never => {
    throw new Error(`internal: compat/migration.yaml parameter ${p.name} has no usable default in ${releaseName(r)}`);
  };
  if (typeof type === 'object') {
    if ('enum' in type) {
      return Object.freeze({
        ...base,
        kind: 'enum',
        enum: type.enum,
        values: Object.freeze(type.values.filter((v) => inWindow(r, v)).map((v) => Object.freeze({ name: v.name, ...(v.if !== undefined && { if: v.if }) }))),
        default: typeof value === 'string' ? value : bad(),
      });
    }
    if (value !== undefined && !Array.isArray(value)) bad();
    return Object.freeze({ ...base, kind: 'array', of: type.array, default: value === undefined ? undefined : Object.freeze([] as never[]) });
  }
  if (isInteger(type)) return Object.freeze({ ...base, kind: 'integer', type, default: typeof value === 'number' ? value : bad() });
  if (type === 'bool') return Object.freeze({ ...base, kind: 'bool', default: typeof value === 'boolean' ? value : bad() });
  if (type === 'str') return Object.freeze({ ...base, kind: 'str', default: typeof value === 'string' ? value : bad() });
  return bad();
}

function buildView(r: Release, doc: MigrationDoc): ReleaseView {
  const present = <T extends Window>(list: readonly T[]): T[] => list.filter((e) => inWindow(r, e));
  const params = present(doc.parameters.members);
  const paramNames = new Set(params.map((p) => p.name));
  const checks = Object.freeze(
    present(doc.checks.members)
      .filter((c) => c.parameters.every((name) => paramNames.has(name)))
      .map((c) => buildCheck(r, c)),
  );
  const capabilities = Object.freeze(
    present(doc.capabilities.members).map((m) =>
      Object.freeze({ name: m.name, features: featuresAt(r, m.features), ...(m.listedOnlyWith !== undefined && { listedOnlyWith: m.listedOnlyWith }) }),
    ),
  );
  return {
    capabilities,
    capabilityNames: Object.freeze(capabilities.map((c) => c.name)),
    statuses: Object.freeze(present(doc.statuses.members).map((m) => m.name)),
    parameters: Object.freeze(params.map((p) => buildParameter(r, p, checks, doc.typeErrors.members))),
    checks,
    statsKeys: Object.freeze(
      present(doc.stats.members).map((m) => Object.freeze({ name: m.name, type: m.type, ...(m.condition !== undefined && { condition: m.condition }) })),
    ),
    statsStatuses: Object.freeze(present(doc.stats.reportedIn).map((s) => s.status)),
  };
}

/** compat/migration.yaml, cross-checked, with a cached view per release. */
export class MigrationQapiData {
  readonly #doc: MigrationDoc;
  readonly #releases: readonly Release[];
  readonly #views = new Map<string, ReleaseView>();

  /** `releases`: the modelled releases (compat/releases.yaml), whose names windows may use. */
  constructor(document: MigrationDocument, releases: readonly string[]) {
    this.#releases = releases.map((r) => parseRelease(r));
    checkDoc(new DocChecker(document.file, this.#releases), document.doc);
    this.#doc = document.doc;
  }

  /**
   * MigrationCapability in enum order: the order query-migrate-capabilities lists them. A build
   * without a capability's `listedOnlyWith` switch leaves that one out (see capabilitySpecs).
   */
  capabilities(r: Release): readonly string[] {
    return this.#view(r).capabilityNames;
  }

  capabilitySpecs(r: Release): readonly MigrationCapabilitySpec[] {
    return this.#view(r).capabilities;
  }

  /** MigrationParameters members in schema order. */
  parameters(r: Release): readonly MigrationParameterSpec[] {
    return this.#view(r).parameters;
  }

  /** migrate_params_check's checks in source order (the first failing one is the error). */
  parameterChecks(r: Release): readonly ParameterCheck[] {
    return this.#view(r).checks;
  }

  /** MigrationStatus members in enum order. */
  statuses(r: Release): readonly string[] {
    return this.#view(r).statuses;
  }

  /** The keys of query-migrate's "ram" (MigrationStats), in member order. */
  statsKeys(r: Release): readonly MigrationStatsKey[] {
    return this.#view(r).statsKeys;
  }

  /** The source-side statuses whose query-migrate carries "ram". */
  statsStatuses(r: Release): readonly string[] {
    return this.#view(r).statsStatuses;
  }

  #view(r: Release): ReleaseView {
    const name = releaseName(r);
    let view = this.#views.get(name);
    if (!view) {
      if (!this.#releases.some((m) => compareReleases(m, r) === 0)) {
        throw compatErrors.error('compat.unknown-release', { release: name, known: this.#releases.map(releaseName) });
      }
      view = buildView(r, this.#doc);
      this.#views.set(name, view);
    }
    return view;
  }
}

/** Loaded data by package root; like loadCompatData, read once per root. */
const loaded = processCache<string, MigrationQapiData>();

export function loadMigrationQapi(root: string = packageRoot()): MigrationQapiData {
  let data = loaded.get(root);
  if (!data) {
    const releases = loadCompatData(root)
      .releases()
      .map((r) => r.version);
    data = new MigrationQapiData(readMigrationDocument(join(root, 'compat')), releases);
    loaded.set(root, data);
  }
  return data;
}

/** MigrationCapability members of `r` in enum order (query-migrate-capabilities' order). */
export const migrationCapabilities = (r: Release): readonly string[] => loadMigrationQapi().capabilities(r);
/** MigrationParameters members of `r` in schema order, with type, default, reporting and checks. */
export const migrationParameters = (r: Release): readonly MigrationParameterSpec[] => loadMigrationQapi().parameters(r);
/** migrate_params_check of `r`, in source order. */
export const migrationParameterChecks = (r: Release): readonly ParameterCheck[] => loadMigrationQapi().parameterChecks(r);
/** The keys query-migrate puts in "ram" in `r`. */
export const migrationStatsKeys = (r: Release): readonly MigrationStatsKey[] => loadMigrationQapi().statsKeys(r);
/** MigrationStatus members of `r` in enum order. */
export const migrationStatuses = (r: Release): readonly string[] => loadMigrationQapi().statuses(r);
/** Whether a failing migration of `r` passes through `failing` (the status came with 11.1). */
export const passesThroughFailing = (r: Release): boolean => migrationStatuses(r).includes('failing');
