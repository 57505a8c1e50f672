/**
 * Expanding a matrix into its cells: the product of the dimensions in file order (the first
 * varies slowest), where a machine-types dimension takes, for each combination of the dimensions
 * before it, the machine types its release(s) and arch register. Cell indexes follow this order,
 * so every process that expands the same file numbers cells the same way.
 *
 * A matrix may have millions of cells, so expansion is a walk that yields one cell at a time:
 * `surveyMatrix` walks it once to check it and learn what results need (the count, every value
 * label), and runs walk it again, holding one cell at a time.
 */
import { isArch, type Arch } from '../core/arch.js';
import { displayLabel } from '../frontends/yaml/source-tree.js';
import type { CompatData } from '../machine/compat-data/compat-data.js';
import type { MachineType } from '../machine/compat-data/types.js';
import { MatrixError, matrixProblem, type MatrixProblem } from './errors.js';
import { selectMachineTypes, selectsAny } from './machine-patterns.js';
import type { Dimension, LabelledValue, Matrix } from './spec.js';
import { ABSENT, type Piece, type Ref } from './template.js';

export interface Cell {
  readonly index: number;
  /** One value per dimension, in dimension order. */
  readonly values: readonly LabelledValue[];
  /** Dimension name → value label: how filters, reports and results name the cell. */
  readonly coordinates: Readonly<Record<string, string>>;
}

/** What `${dimension}` or `${dimension.field}` stands for, given the values of the dimensions. */
export function refValue(ref: Ref, dimensions: readonly Dimension[], values: readonly LabelledValue[]): string | number | boolean | typeof ABSENT {
  const v = values[dimensions.findIndex((d) => d.name === ref.dimension)];
  if (v === undefined) throw new Error(`internal: no value for dimension ${ref.dimension}`);
  const value = v.value;
  if (ref.field === undefined) return value === null ? ABSENT : typeof value === 'object' ? v.label : value;
  const field = value !== null && typeof value === 'object' ? value[ref.field] : undefined;
  return field === null || field === undefined ? ABSENT : field;
}

const textOf = (pieces: readonly Piece[], dimensions: readonly Dimension[], values: readonly LabelledValue[]): string =>
  pieces
    .map((p) => {
      if (p.kind === 'text') return p.text;
      const v = refValue(p.ref, dimensions, values);
      return v === ABSENT ? '' : String(v);
    })
    .join('');

class Expansion {
  readonly problems = new Map<string, MatrixProblem>();
  readonly #types = new Map<string, readonly MachineType[]>();
  readonly #known: readonly string[];
  /** Machine types per dimension, every set resolved, for checking that each pattern selects something. */
  readonly #seen = new Map<Dimension, Set<MachineType>>();

  constructor(
    readonly matrix: Matrix,
    readonly data: CompatData,
  ) {
    this.#known = data.releases().map((r) => r.version);
  }

  /** Where a key of a dimension's spec is written, and its label. */
  place(dim: Dimension, key: string): { readonly at: string; readonly position: ReturnType<Matrix['tree']['position']> } {
    const span = this.matrix.tree.spans.get(`${dim.pointer}/${key}`);
    return { at: displayLabel(span?.label ?? dim.name), position: this.matrix.tree.position(span?.valueOffset ?? 0) };
  }

  /** The same unresolvable value recurs in many combinations; it is reported once. */
  report(p: MatrixProblem): void {
    this.problems.set(`${p.line}:${p.column}:${p.message}`, p);
  }

  /** Machine types of one arch that every release in `releases` registers, in the first one's order. */
  machineTypes(releases: readonly string[], arch: Arch): readonly MachineType[] {
    const key = `${arch} ${releases.join(' ')}`;
    let types = this.#types.get(key);
    if (!types) {
      const build = this.data.defaultBuildConfig(arch);
      const [first, ...rest] = releases.map((r) => this.data.machineTypes(r, arch, build));
      types = (first ?? []).filter((t) => rest.every((other) => other.some((o) => o.name === t.name)));
      this.#types.set(key, types);
    }
    return types;
  }

  values(dim: Dimension, before: readonly LabelledValue[]): readonly LabelledValue[] {
    if (dim.kind === 'values') return dim.values;
    const dims = this.matrix.dimensions;
    const releases = dim.qemu.map((q) => textOf(q, dims, before));
    const arch = textOf(dim.arch, dims, before);
    const unknown = releases.filter((r) => !this.#known.includes(r));
    for (const text of unknown) {
      const { at, position } = this.place(dim, 'qemu');
      this.report(matrixProblem('matrix.bad-release', { at, text, known: this.#known }, position));
    }
    if (!isArch(arch)) {
      const { at, position } = this.place(dim, 'arch');
      this.report(matrixProblem('matrix.bad-arch', { at, text: arch }, position));
    }
    if (unknown.length > 0 || !isArch(arch)) return [];
    const types = this.machineTypes(releases, arch);
    const seen = this.#seen.get(dim) ?? new Set();
    for (const t of types) seen.add(t);
    this.#seen.set(dim, seen);
    return selectMachineTypes(dim.patterns, types).map((name) => ({ label: name, value: name }));
  }

  /**
   * The cells `take` selects by index and `keep` by coordinates, in index order. Every cell is
   * walked (`leaf` sees each one's values) but only those taken are built: a shard of a large
   * matrix costs little for the cells of other shards.
   */
  *cells(selection: CellSelection = {}, leaf?: (values: readonly LabelledValue[]) => void): Generator<Cell> {
    const { take, keep } = selection;
    const dims = this.matrix.dimensions;
    const values: LabelledValue[] = [];
    let index = 0;
    // Depth first over the dimensions, without recursion so the generator stays flat.
    const choices: Array<readonly LabelledValue[]> = [];
    const positions: number[] = [];
    const enter = (): void => {
      choices.push(this.values(dims[values.length]!, values));
      positions.push(0);
    };
    // The schema asks for one dimension at least.
    enter();
    while (choices.length > 0) {
      const depth = choices.length - 1;
      const position = positions[depth]!;
      const value = choices[depth]![position];
      if (value === undefined) {
        choices.pop();
        positions.pop();
        continue;
      }
      values.length = depth;
      values.push(value);
      positions[depth] = position + 1;
      if (depth + 1 < dims.length) {
        enter();
        continue;
      }
      leaf?.(values);
      const i = index++;
      if (take !== undefined && !take(i)) continue;
      const coordinates: Record<string, string> = {};
      dims.forEach((d, k) => (coordinates[d.name] = values[k]!.label));
      if (keep !== undefined && !keep(coordinates)) continue;
      yield { index: i, values: [...values], coordinates };
    }
  }

  /** Problems of patterns that selected nothing; known once every cell has been walked. */
  checkPatterns(): void {
    for (const dim of this.matrix.dimensions) {
      if (dim.kind !== 'machine-types') continue;
      const seen = [...(this.#seen.get(dim) ?? [])];
      dim.patterns.forEach((pattern, i) => {
        if (seen.length === 0 || selectsAny(pattern, seen)) return;
        const { at, position } = this.place(dim, `machine-types/${i}`);
        this.report(matrixProblem('matrix.pattern-selects-nothing', { at, pattern: pattern.text }, position));
      });
    }
  }

  throwProblems(): void {
    this.checkPatterns();
    if (this.problems.size > 0) throw new MatrixError([...this.problems.values()]);
  }
}

/** Every cell of the matrix, indexed in expansion order. Throws MatrixError for values that cannot be resolved. */
export function expandMatrix(matrix: Matrix, data: CompatData): readonly Cell[] {
  const expansion = new Expansion(matrix, data);
  const cells = [...expansion.cells()];
  expansion.throwProblems();
  return cells;
}

/** Which cells a walk builds: by index (a shard), then by coordinates (a filter). Absent: all. */
export interface CellSelection {
  readonly take?: (index: number) => boolean;
  readonly keep?: (coordinates: Readonly<Record<string, string>>) => boolean;
}

/** What one walk over a matrix learns, holding no cells. */
export interface MatrixSurvey {
  readonly cells: number;
  /** Dimension name → every value label, in expansion order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** How many cells the selection takes, and the first of them. */
  readonly selected: number;
  readonly first: Cell | undefined;
}

/** Walks every cell once; throws MatrixError for values that cannot be resolved. */
export function surveyMatrix(matrix: Matrix, data: CompatData, selection: CellSelection): MatrixSurvey {
  const expansion = new Expansion(matrix, data);
  const labels = matrix.dimensions.map(() => new Set<string>());
  let cells = 0;
  let selected = 0;
  let first: Cell | undefined;
  const leaf = (values: readonly LabelledValue[]): void => {
    cells++;
    values.forEach((v, k) => labels[k]!.add(v.label));
  };
  for (const cell of expansion.cells(selection, leaf)) {
    selected++;
    first ??= cell;
  }
  expansion.throwProblems();
  return { cells, values: new Map(matrix.dimensions.map((d, k) => [d.name, [...labels[k]!]])), selected, first };
}

/** The selected cells of a matrix that surveyMatrix has checked, one at a time in index order. */
export const cellsOf = (matrix: Matrix, data: CompatData, selection: CellSelection = {}): Iterable<Cell> => new Expansion(matrix, data).cells(selection);
