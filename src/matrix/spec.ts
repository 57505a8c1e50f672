/**
 * A matrix file as the loader returns it: dimensions whose values are known (lists, release
 * ranges) or resolved per cell from the compat data (machine types), the scenario and migration
 * destinations as templates, what each cell records, and the rules cells are held to.
 */
import type { SourcePosition } from '../frontends/yaml/errors.js';
import type { Bounds, MemoryMeasure } from '../frontends/yaml/definition.js';
import type { SourceTree } from '../frontends/yaml/source-tree.js';
import type { CellFilter } from './filter.js';
import type { MachinePattern } from './machine-patterns.js';
import type { Piece, Template } from './template.js';

export type ScalarValue = string | number | boolean | null;
export type DimensionValue = ScalarValue | Readonly<Record<string, ScalarValue>>;

/** A dimension value and the label that names it in coordinates, filters and reports. */
export interface LabelledValue {
  readonly label: string;
  readonly value: DimensionValue;
}

interface DimensionBase {
  readonly name: string;
  /** JSON pointer of the dimension in the matrix file (problems found while expanding point there). */
  readonly pointer: string;
}

export type Dimension =
  | (DimensionBase & { readonly kind: 'values'; readonly values: readonly LabelledValue[] })
  | (DimensionBase & {
      readonly kind: 'machine-types';
      readonly patterns: readonly MachinePattern[];
      /** Releases whose machine types count (all of them must have a type), as text templates. */
      readonly qemu: readonly (readonly Piece[])[];
      readonly arch: readonly Piece[];
    });

/** A point of a cell's run where host memory is measured. */
export type MemoryPoint = { readonly kind: 'start' } | { readonly kind: 'end' } | { readonly kind: 'step'; readonly index: number };

export const pointLabel = (p: MemoryPoint): string => (p.kind === 'step' ? `steps[${p.index}]` : p.kind);

/** Measures a step point has: what `hotmem run` records after every step. */
export const STEP_MEASURES: readonly MemoryMeasure[] = ['rss', 'host'];

export interface RecordSpec {
  /** Effective properties right after start-up; `name` is PATH.PROPERTY as written. */
  readonly properties: ReadonlyArray<{ readonly name: string; readonly path: string; readonly property: string }>;
  /** Virtio devices whose features and status are recorded at the end. */
  readonly features: readonly string[];
  readonly guest: boolean;
  readonly memory: { readonly measures: readonly MemoryMeasure[]; readonly at: readonly MemoryPoint[] } | undefined;
}

/**
 * What an observation must read: exactly a text, or anything a glob matches. Either may hold
 * placeholders (`not supported by: ${machine}`), filled in with each cell's values.
 */
export type Expected = { readonly kind: 'equals' | 'matches'; readonly text: readonly Piece[] };

export interface Rule {
  /** `expect[2]`, and where the rule is written. */
  readonly label: string;
  readonly position: SourcePosition;
  /** Undefined: every cell. */
  readonly when: CellFilter | undefined;
  readonly then: ReadonlyArray<{ readonly name: string; readonly expected: Expected }>;
  readonly memory: ReadonlyArray<{ readonly point: string; readonly measure: MemoryMeasure; readonly bounds: Bounds }>;
}

export interface Matrix {
  /** The file as named to the loader; results and messages use it. */
  readonly file: string;
  /** The file's text: workers load the same matrix from it, and results carry its digest. */
  readonly text: string;
  /** `sha256:` of the text: merge and diff refuse results of different matrices. */
  readonly digest: string;
  readonly description: string | undefined;
  readonly dimensions: readonly Dimension[];
  readonly scenario: Template;
  readonly destinations: ReadonlyMap<string, Template>;
  readonly record: RecordSpec;
  readonly rules: readonly Rule[];
  /** The scenario's steps as `steps[N].KIND`, which name their results. */
  readonly steps: readonly string[];
  /** The parsed file, for positions. */
  readonly tree: SourceTree;
}
