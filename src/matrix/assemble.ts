/**
 * Turning cell results into a run's results: what identifies the matrix and the selection, the
 * dimensions with every value of the whole matrix (so shards of one matrix agree), the summary,
 * and the cells in index order.
 */
import { hotmemVersion } from '../cli/version.js';
import type { Cell } from './expand.js';
import { RESULTS_FORMAT, summarize, type CellResult, type MatrixResults, type Selection } from './results.js';
import type { Matrix } from './spec.js';

export function assembleResults(matrix: Matrix, all: readonly Cell[], selection: Selection, results: readonly CellResult[]): MatrixResults {
  const cells = [...results].sort((a, b) => a.index - b.index);
  return {
    format: RESULTS_FORMAT,
    hotmem: hotmemVersion(),
    matrix: {
      file: matrix.file,
      ...(matrix.description === undefined ? {} : { description: matrix.description }),
      digest: matrix.digest,
      dimensions: matrix.dimensions.map((d) => ({
        name: d.name,
        values: [...new Set(all.map((c) => c.coordinates[d.name]!))],
        ...(d.kind === 'machine-types' ? { machineTypes: true as const } : {}),
      })),
      cells: all.length,
    },
    selection,
    summary: summarize(cells),
    cells,
  };
}
