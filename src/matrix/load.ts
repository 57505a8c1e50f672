/**
 * Loading a matrix file: YAML, then the matrix schema, then the checks a schema cannot express
 * (placeholders name dimensions defined before their use, release ranges match modelled
 * releases, rules name what is recorded). Every problem of a stage is reported at once, at its
 * line and column. The scenario itself is a machine definition, checked per cell once filled in.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sizeDialect, type SizeDialect } from '../core/parse/size.js';
import { release as parseRelease } from '../core/release.js';
import type { Bounds, MemoryMeasure } from '../frontends/yaml/definition.js';
import type { SourcePosition } from '../frontends/yaml/errors.js';
import { schemaProblems } from '../frontends/yaml/schema.js';
import { definitionSize, expectedText } from '../frontends/yaml/sizes.js';
import { displayLabel, pointerSegment, readSourceTree, type SourceTree } from '../frontends/yaml/source-tree.js';
import { suggest } from '../frontends/yaml/suggest.js';
import type { CompatData } from '../machine/compat-data/compat-data.js';
import { loadCompatData } from '../machine/compat-data/load.js';
import { MatrixError, matrixProblem, type MatrixProblem, type MatrixProblemCode } from './errors.js';
import { parseFilter, unknownDimensions, type CellFilter } from './filter.js';
import { parseMachinePattern } from './machine-patterns.js';
import { isObservationName } from './observation-names.js';
import { matrixSchema } from './schema.js';
import {
  pointLabel,
  STEP_MEASURES,
  type Dimension,
  type DimensionValue,
  type LabelledValue,
  type Matrix,
  type MemoryPoint,
  type RecordSpec,
  type Rule,
  type ScalarValue,
} from './spec.js';
import { compileTemplate, parsePlaceholders, type Piece, type Ref, type Template } from './template.js';
import { inRange, parseRange, parseVersion } from './versions.js';

type Scalar = string | number | boolean;
interface RawDimensionSpec {
  readonly releases?: string | readonly string[];
  readonly 'machine-types'?: readonly string[];
  readonly qemu?: string | readonly string[];
  readonly arch?: string;
}
interface RawRule {
  readonly when?: string;
  readonly then?: Readonly<Record<string, Scalar | { readonly matches: string }>>;
  readonly memory?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number | string>>>>>>;
}
interface RawMatrix {
  readonly description?: string;
  readonly dimensions: Readonly<Record<string, readonly DimensionValue[] | RawDimensionSpec>>;
  readonly scenario: Readonly<Record<string, unknown>>;
  readonly destinations?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly record?: {
    readonly properties?: readonly string[];
    readonly features?: readonly string[];
    readonly guest?: boolean;
    readonly memory?: { readonly measures?: readonly MemoryMeasure[]; readonly at?: readonly string[] };
  };
  readonly expect?: readonly RawRule[];
}

const DIMENSION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const STEP_POINT = /^steps\[(\d+)\]$/;
const DEFAULT_MEASURES: readonly MemoryMeasure[] = ['rss', 'page-tables', 'host'];
const DEFAULT_POINTS: readonly MemoryPoint[] = [{ kind: 'start' }, { kind: 'end' }];

const child = (pointer: string, key: string | number): string => `${pointer}/${typeof key === 'number' ? key : pointerSegment(key)}`;

/**
 * A value's label: a scalar's text, `default` for null (its key is left out, so the default
 * applies), a map's `label`, else the map's other values joined with `/`.
 */
function labelOf(value: DimensionValue): string {
  if (value === null) return 'default';
  if (typeof value !== 'object') return String(value);
  if (typeof value['label'] === 'string') return value['label'];
  return Object.entries(value)
    .filter(([, v]) => v !== null)
    .map(([, v]) => String(v))
    .join('/');
}

class Builder {
  readonly problems: MatrixProblem[] = [];
  readonly raw: RawMatrix;
  readonly dialect: SizeDialect;
  readonly newest: string;

  constructor(
    readonly tree: SourceTree,
    readonly data: CompatData,
  ) {
    this.raw = tree.value as RawMatrix;
    this.newest = data.newestRelease().version;
    // Rules are not tied to one release; sizes in them read as the newest modelled QEMU reads them.
    this.dialect = sizeDialect(parseRelease(this.newest));
  }

  at(pointer: string): SourcePosition {
    return this.tree.position(this.tree.spans.get(pointer)?.valueOffset ?? 0);
  }

  keyAt(pointer: string): SourcePosition {
    const span = this.tree.spans.get(pointer);
    return this.tree.position(span?.keyOffset ?? span?.valueOffset ?? 0);
  }

  label(pointer: string): string {
    return displayLabel(this.tree.spans.get(pointer)?.label ?? '');
  }

  report<C extends MatrixProblemCode>(code: C, args: Parameters<typeof matrixProblem<C>>[1], position: SourcePosition): void {
    this.problems.push(matrixProblem(code, args, position));
  }

  dimensions(): Dimension[] {
    const dims: Dimension[] = [];
    for (const [name, spec] of Object.entries(this.raw.dimensions)) {
      const pointer = child('/dimensions', name);
      if (!DIMENSION_NAME.test(name)) this.report('matrix.dimension-name', { name }, this.keyAt(pointer));
      dims.push(
        Array.isArray(spec)
          ? this.valueList(name, spec as readonly DimensionValue[], pointer)
          : this.dimensionSpec(name, spec as RawDimensionSpec, pointer, dims),
      );
    }
    return dims;
  }

  valueList(name: string, values: readonly DimensionValue[], pointer: string): Dimension {
    const labelled: LabelledValue[] = [];
    values.forEach((value, i) => {
      const label = labelOf(value);
      if (labelled.some((l) => l.label === label))
        this.report('matrix.duplicate-label', { at: this.label(child(pointer, i)), label }, this.at(child(pointer, i)));
      labelled.push({ label, value });
    });
    return { kind: 'values', name, values: labelled, pointer };
  }

  dimensionSpec(name: string, spec: RawDimensionSpec, pointer: string, before: readonly Dimension[]): Dimension {
    const at = this.label(pointer);
    const hasReleases = spec.releases !== undefined;
    const hasTypes = spec['machine-types'] !== undefined;
    // A dimension in error still exists, so placeholders naming it are not reported as well.
    const invalid: Dimension = { kind: 'values', name, values: [], pointer };
    if (hasReleases === hasTypes) {
      this.report('matrix.dimension-kind', { at }, this.at(pointer));
      return invalid;
    }
    if (hasReleases) {
      if (spec.qemu !== undefined || spec.arch !== undefined) this.report('matrix.machine-types-options', { at }, this.at(pointer));
      return { kind: 'values', name, values: this.releases(spec.releases, child(pointer, 'releases')), pointer };
    }
    if (spec.qemu === undefined || spec.arch === undefined) {
      this.report('matrix.machine-types-options', { at }, this.at(pointer));
      return invalid;
    }
    const qemu = (typeof spec.qemu === 'string' ? [spec.qemu] : spec.qemu).map((text, i) =>
      this.textTemplate(text, typeof spec.qemu === 'string' ? child(pointer, 'qemu') : child(child(pointer, 'qemu'), i), name, before),
    );
    return {
      kind: 'machine-types',
      name,
      patterns: spec['machine-types']!.map(parseMachinePattern),
      qemu,
      arch: this.textTemplate(spec.arch, child(pointer, 'arch'), name, before),
      pointer,
    };
  }

  /** Modelled releases a range list selects, oldest first. */
  releases(spec: string | readonly string[], pointer: string): LabelledValue[] {
    const known = this.data.releases().map((r) => r.version);
    const selected = new Set<string>();
    (typeof spec === 'string' ? [spec] : spec).forEach((text, i) => {
      const p = typeof spec === 'string' ? pointer : child(pointer, i);
      const range = parseRange(text);
      if (!range) {
        this.report('matrix.bad-releases', { at: this.label(p), text }, this.at(p));
        return;
      }
      const matching = known.filter((v) => inRange(parseVersion(v)!, range));
      if (matching.length === 0) this.report('matrix.no-release', { at: this.label(p), text, known }, this.at(p));
      for (const v of matching) selected.add(v);
    });
    return known.filter((v) => selected.has(v)).map((v) => ({ label: v, value: v }));
  }

  /** A text with placeholders naming dimensions defined before `user` (for rules: all of them). */
  textTemplate(text: string, pointer: string, user: string, before: readonly Dimension[]): Piece[] {
    const parsed = parsePlaceholders(text);
    if (!parsed.ok) {
      this.report('matrix.bad-placeholder', { at: this.label(pointer), reason: parsed.reason }, this.at(pointer));
      return [];
    }
    const names = Object.keys(this.raw.dimensions);
    for (const piece of parsed.pieces) {
      if (piece.kind !== 'ref') continue;
      const name = piece.ref.dimension;
      if (!names.includes(name)) this.report('matrix.unknown-dimension', { at: this.label(pointer), name, ...this.suggestion(name, names) }, this.at(pointer));
      else if (!before.some((d) => d.name === name)) this.report('matrix.later-dimension', { at: this.label(pointer), name, user }, this.at(pointer));
      else this.checkField(piece.ref, pointer, before);
    }
    return [...parsed.pieces];
  }

  suggestion(word: string, candidates: Iterable<string>): { suggestion?: string } {
    const s = suggest(word, candidates);
    return s === undefined ? {} : { suggestion: s };
  }

  checkField(ref: Ref, pointer: string, dims: readonly Dimension[]): void {
    if (ref.field === undefined) return;
    const dim = dims.find((d) => d.name === ref.dimension)!;
    const values = dim.kind === 'values' ? dim.values.map((v) => v.value) : [];
    const maps = values.filter((v): v is Readonly<Record<string, ScalarValue>> => v !== null && typeof v === 'object');
    if (dim.kind === 'machine-types' || maps.length < values.filter((v) => v !== null).length) {
      this.report('matrix.not-a-map', { at: this.label(pointer), name: ref.dimension, field: ref.field }, this.at(pointer));
      return;
    }
    const fields = new Set(maps.flatMap((m) => Object.keys(m)));
    if (!fields.has(ref.field))
      this.report(
        'matrix.unknown-field',
        { at: this.label(pointer), name: ref.dimension, field: ref.field, ...this.suggestion(ref.field, fields) },
        this.at(pointer),
      );
  }

  template(value: unknown, pointer: string, dims: readonly Dimension[]): Template {
    const { template, problems } = compileTemplate(value, pointer);
    for (const p of problems) this.report('matrix.bad-placeholder', { at: this.label(p.pointer), reason: p.reason }, this.at(p.pointer));
    const names = dims.map((d) => d.name);
    for (const use of template.uses) {
      const name = use.ref.dimension;
      if (!names.includes(name))
        this.report('matrix.unknown-dimension', { at: this.label(use.pointer), name, ...this.suggestion(name, names) }, this.at(use.pointer));
      else this.checkField(use.ref, use.pointer, dims);
    }
    return template;
  }

  steps(): string[] {
    const steps = this.raw.scenario['steps'];
    if (!Array.isArray(steps)) return [];
    return steps.map((s: unknown, i) => `steps[${i}]${s !== null && typeof s === 'object' && Object.keys(s).length === 1 ? `.${Object.keys(s)[0]!}` : ''}`);
  }

  record(stepCount: number): RecordSpec {
    const r = this.raw.record ?? {};
    const properties = (r.properties ?? []).flatMap((name, i) => {
      const dot = name.lastIndexOf('.');
      if (dot <= 0 || dot === name.length - 1) {
        const p = child('/record/properties', i);
        this.report('matrix.property-path', { at: this.label(p), text: name }, this.at(p));
        return [];
      }
      return [{ name, path: name.slice(0, dot), property: name.slice(dot + 1) }];
    });
    let memory: RecordSpec['memory'];
    if (r.memory) {
      const measures = r.memory.measures ?? DEFAULT_MEASURES;
      const at =
        r.memory.at === undefined ? DEFAULT_POINTS : r.memory.at.flatMap((text, i) => this.point(text, child('/record/memory/at', i), stepCount, measures));
      memory = { measures, at };
    }
    return { properties, features: r.features ?? [], guest: r.guest ?? false, memory };
  }

  point(text: string, pointer: string, stepCount: number, measures: readonly MemoryMeasure[]): MemoryPoint[] {
    if (text === 'start' || text === 'end') return [{ kind: text }];
    const step = STEP_POINT.exec(text);
    if (!step || Number(step[1]) >= stepCount) {
      this.report('matrix.memory-point', { at: this.label(pointer), text, steps: stepCount }, this.at(pointer));
      return [];
    }
    if (!measures.some((m) => STEP_MEASURES.includes(m))) this.report('matrix.step-measures', { at: this.label(pointer), point: text }, this.at(pointer));
    return [{ kind: 'step', index: Number(step[1]) }];
  }

  rules(dims: readonly Dimension[], record: RecordSpec, steps: readonly string[]): Rule[] {
    return (this.raw.expect ?? []).map((raw, i): Rule => {
      const pointer = child('/expect', i);
      const label = this.label(pointer);
      const rule = `expect[${i}]`;
      if (raw.then === undefined && raw.memory === undefined) this.report('matrix.empty-rule', { at: label }, this.at(pointer));
      return {
        label,
        position: this.at(pointer),
        when: raw.when === undefined ? undefined : this.when(raw.when, child(pointer, 'when'), dims),
        then: Object.entries(raw.then ?? {}).flatMap(([name, value]): Rule['then'][number][] => {
          const p = child(child(pointer, 'then'), name);
          if (!isObservationName(name, record, steps)) {
            this.report(
              'matrix.unknown-observation',
              { at: this.label(p), name, ...this.suggestion(name, [...steps, ...record.properties.map((x) => x.name), 'start', 'warnings']) },
              this.keyAt(p),
            );
            return [];
          }
          if (typeof value === 'object')
            return [{ name, expected: { kind: 'matches', text: this.textTemplate(value.matches, child(p, 'matches'), rule, dims) } }];
          if (typeof value === 'string' && value.includes('${')) return [{ name, expected: { kind: 'equals', text: this.textTemplate(value, p, rule, dims) } }];
          const expected = expectedText(value, this.dialect, this.newest);
          if (!expected.ok) {
            this.report('matrix.bad-size', { at: this.label(p), text: String(value), reason: expected.reason }, this.at(p));
            return [];
          }
          return [{ name, expected: { kind: 'equals', text: [{ kind: 'text', text: expected.value }] } }];
        }),
        memory: this.memoryRules(raw.memory ?? {}, child(pointer, 'memory'), record),
      };
    });
  }

  when(text: string, pointer: string, dims: readonly Dimension[]): CellFilter | undefined {
    const parsed = parseFilter(text);
    if (!parsed.ok) {
      this.report('matrix.bad-filter', { at: this.label(pointer), reason: parsed.reason }, this.at(pointer));
      return undefined;
    }
    const names = dims.map((d) => d.name);
    for (const name of unknownDimensions(parsed.filter, names))
      this.report('matrix.unknown-dimension', { at: this.label(pointer), name, ...this.suggestion(name, names) }, this.at(pointer));
    return parsed.filter;
  }

  memoryRules(raw: NonNullable<RawRule['memory']>, pointer: string, record: RecordSpec): Rule['memory'] {
    return Object.entries(raw).flatMap(([point, measures]) =>
      Object.entries(measures).flatMap(([measure, rawBounds]) => {
        const p = child(child(pointer, point), measure);
        const recordedAt = record.memory?.at.find((x) => pointLabel(x) === point);
        const recorded =
          recordedAt !== undefined &&
          record.memory!.measures.includes(measure as MemoryMeasure) &&
          (recordedAt.kind !== 'step' || STEP_MEASURES.includes(measure as MemoryMeasure));
        if (!recorded) {
          this.report('matrix.memory-not-recorded', { at: this.label(p), point, measure }, this.keyAt(p));
          return [];
        }
        return [{ point, measure: measure as MemoryMeasure, bounds: this.bounds(rawBounds, p) }];
      }),
    );
  }

  bounds(raw: Readonly<Record<string, number | string>>, pointer: string): Bounds {
    const out: Record<string, number> = {};
    const keys: Readonly<Record<string, keyof Bounds>> = { below: 'below', 'at-most': 'atMost', equals: 'equals', 'at-least': 'atLeast', above: 'above' };
    for (const [key, value] of Object.entries(raw)) {
      const parsed = definitionSize(value, this.dialect, this.newest);
      const p = child(pointer, key);
      if (parsed.ok) out[keys[key]!] = parsed.value;
      else this.report('matrix.bad-size', { at: this.label(p), text: String(value), reason: parsed.reason }, this.at(p));
    }
    return out;
  }
}

const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * Loads a matrix from its text; `file` names it in messages and results. Throws MatrixError
 * listing every problem found.
 */
export function parseMatrix(text: string, file: string, data: CompatData = loadCompatData()): Matrix {
  const tree = readSourceTree(text, file);
  const early = tree.problems.length > 0 ? tree.problems : schemaProblems(tree, matrixSchema());
  if (early.length > 0) throw new MatrixError(early.map((p) => ({ file: p.file, line: p.line, column: p.column, code: p.code, message: p.message })));
  const b = new Builder(tree, data);
  const dimensions = b.dimensions();
  const scenario = b.template(b.raw.scenario, '/scenario', dimensions);
  const destinations = new Map(
    Object.entries(b.raw.destinations ?? {}).map(([name, value]) => [name, b.template(value, child('/destinations', name), dimensions)] as const),
  );
  const steps = b.steps();
  const record = b.record(steps.length);
  const rules = b.rules(dimensions, record, steps);
  if (b.problems.length > 0) throw new MatrixError(b.problems);
  return { file, text, digest: digestOf(text), description: b.raw.description, dimensions, scenario, destinations, record, rules, steps, tree };
}

export function loadMatrixFile(path: string, data?: CompatData): Matrix {
  return parseMatrix(readFileSync(path, 'utf8'), path, data);
}
