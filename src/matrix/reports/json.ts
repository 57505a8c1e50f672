/**
 * The JSON report: the full results, laid out for diffs. The header is indented; each cell is
 * one line, so a cell whose answer changed is one changed line in `git diff` or a code review.
 * The layout is also what lets large results be written and read a cell at a time
 * (results-file.ts): the frame around the cell lines depends on the header alone.
 */
import type { MatrixResults } from '../results.js';

/** Results without cells, and the text before the first cell line and after the last. */
export interface JsonFrame {
  readonly empty: string;
  readonly open: string;
  readonly close: string;
}

/** Before each cell's JSON; cells are separated by `,\n`. */
export const CELL_INDENT = '    ';

export function jsonFrame(header: Omit<MatrixResults, 'cells'>): JsonFrame {
  const head = JSON.stringify({ ...header, cells: [] }, null, 2);
  return { empty: `${head}\n`, open: `${head.slice(0, head.lastIndexOf('[]'))}[\n`, close: '\n  ]\n}\n' };
}

export function jsonReport(results: MatrixResults): string {
  const { cells, ...header } = results;
  const frame = jsonFrame(header);
  if (cells.length === 0) return frame.empty;
  return `${frame.open}${cells.map((c) => `${CELL_INDENT}${JSON.stringify(c)}`).join(',\n')}${frame.close}`;
}
