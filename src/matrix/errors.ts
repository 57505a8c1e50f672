/**
 * Problems of a matrix file, each at a file, line and column like those of machine definitions,
 * and the error listing all of them. Schema and YAML problems come from the definition loader's
 * machinery unchanged; these are the checks only a matrix has.
 */
import { defineErrors, HotmemError } from '../core/errors.js';
import { formatPosition, type SourcePosition } from '../frontends/yaml/errors.js';

const didYouMean = (suggestion: string | undefined): string => (suggestion === undefined ? '' : `; did you mean '${suggestion}'?`);

export const matrixProblems = defineErrors({
  'matrix.dimension-name': (a: { name: string }) => `dimension name '${a.name}' must start with a letter and hold only letters, digits, - and _`,
  'matrix.dimension-kind': (a: { at: string }) => `${a.at} must have exactly one of releases and machine-types`,
  'matrix.machine-types-options': (a: { at: string }) => `${a.at}: qemu and arch go with machine-types, which needs both`,
  'matrix.duplicate-label': (a: { at: string; label: string }) =>
    `${a.at}: another value of this dimension is labelled '${a.label}' too; labels name cells, so they must differ`,
  'matrix.bad-releases': (a: { at: string; text: string }) => `${a.at}: '${a.text}' is not a release range (*, 7.2, >=7.0, <8.0, 6.2..8.1)`,
  'matrix.no-release': (a: { at: string; text: string; known: readonly string[] }) =>
    `${a.at}: '${a.text}' matches no modelled QEMU release (${a.known.join(', ')})`,
  'matrix.bad-placeholder': (a: { at: string; reason: string }) => `${a.at}: ${a.reason}`,
  'matrix.unknown-dimension': (a: { at: string; name: string; suggestion?: string }) => `${a.at}: there is no dimension '${a.name}'${didYouMean(a.suggestion)}`,
  'matrix.later-dimension': (a: { at: string; name: string; user: string }) =>
    `${a.at}: dimension ${a.user} uses ${a.name}, which comes after it; a dimension can use only the dimensions before it`,
  'matrix.not-a-map': (a: { at: string; name: string; field: string }) => `${a.at}: ${a.name} has values that are not maps, which have no field '${a.field}'`,
  'matrix.unknown-field': (a: { at: string; name: string; field: string; suggestion?: string }) =>
    `${a.at}: no value of ${a.name} has a field '${a.field}'${didYouMean(a.suggestion)}`,
  'matrix.bad-release': (a: { at: string; text: string; known: readonly string[] }) =>
    `${a.at}: '${a.text}' is not a modelled QEMU release (${a.known.join(', ')})`,
  'matrix.bad-arch': (a: { at: string; text: string }) => `${a.at}: '${a.text}' is not an architecture hotmem models (x86_64, s390x)`,
  'matrix.pattern-selects-nothing': (a: { at: string; pattern: string }) =>
    `${a.at}: '${a.pattern}' selects no machine type of any release and arch this dimension is resolved for`,
  'matrix.property-path': (a: { at: string; text: string }) => `${a.at}: '${a.text}' must be PATH.PROPERTY, such as vm0.unplugged-inaccessible`,
  'matrix.memory-point': (a: { at: string; text: string; steps: number }) =>
    `${a.at}: '${a.text}' is not a point of the scenario: start, end, or steps[N] with N below ${a.steps} (its number of steps)`,
  'matrix.step-measures': (a: { at: string; point: string }) =>
    `${a.at}: after a step hotmem records rss and host only, and record.memory.measures has neither, so ${a.point} would record nothing`,
  'matrix.bad-filter': (a: { at: string; reason: string }) => `${a.at}: ${a.reason}`,
  'matrix.empty-rule': (a: { at: string }) => `${a.at} says nothing to expect: give it then, memory or both`,
  'matrix.unknown-observation': (a: { at: string; name: string; suggestion?: string }) =>
    `${a.at}: '${a.name}' is not recorded (start, warnings, steps[N].KIND, and what record names)${didYouMean(a.suggestion)}`,
  'matrix.memory-not-recorded': (a: { at: string; point: string; measure: string }) =>
    `${a.at}: ${a.measure} at ${a.point} is not recorded; add it to record.memory`,
  'matrix.bad-size': (a: { at: string; text: string; reason: string }) => `${a.at}: '${a.text}' ${a.reason}`,
  'matrix.bad-value': (a: { at: string; reason: string }) => `${a.at}: ${a.reason}`,
});

export type MatrixProblemCode = keyof typeof matrixProblems.table;

/** One mistake in a matrix file: where, and what (the message without the position). */
export interface MatrixProblem extends SourcePosition {
  readonly code: string;
  readonly message: string;
}

export function matrixProblem<C extends MatrixProblemCode>(
  code: C,
  args: Parameters<(typeof matrixProblems.table)[C]>[0],
  position: SourcePosition,
): MatrixProblem {
  const template = matrixProblems.table[code] as (a: typeof args) => string;
  return { ...position, code, message: template(args) };
}

export const formatMatrixProblem = (p: MatrixProblem): string => `${formatPosition(p)}: ${p.message}`;

/** A matrix that cannot be run; the message lists every problem, one per line, in file order. */
export class MatrixError extends HotmemError {
  readonly problems: readonly MatrixProblem[];

  constructor(problems: readonly MatrixProblem[]) {
    const sorted = [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    if (sorted.length === 0) throw new Error('internal: a MatrixError needs at least one problem');
    super('matrix.invalid', sorted.map(formatMatrixProblem).join('\n'), { problems: sorted });
    this.problems = sorted;
  }
}
