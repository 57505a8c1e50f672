/**
 * What identifies a run's results: the matrix, the dimensions with every value of the whole
 * matrix (so shards of one matrix agree), and the selection. The summary and the cells, in
 * index order, follow it.
 */
import { hotmemVersion } from '../cli/version.js';
import type { MatrixSurvey } from './expand.js';
import { RESULTS_FORMAT, type ResultsHeader, type Selection } from './results.js';
import type { Matrix } from './spec.js';

export function resultsHeader(matrix: Matrix, survey: MatrixSurvey, selection: Selection): ResultsHeader {
  return {
    format: RESULTS_FORMAT,
    hotmem: hotmemVersion(),
    matrix: {
      file: matrix.file,
      ...(matrix.description === undefined ? {} : { description: matrix.description }),
      digest: matrix.digest,
      dimensions: matrix.dimensions.map((d) => ({
        name: d.name,
        values: survey.values.get(d.name) ?? [],
        ...(d.kind === 'machine-types' ? { machineTypes: true as const } : {}),
      })),
      cells: survey.cells,
    },
    selection,
  };
}
