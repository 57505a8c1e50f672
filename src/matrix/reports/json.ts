/**
 * The JSON report: the full results, laid out for diffs. The header is indented; each cell is
 * one line, so a cell whose answer changed is one changed line in `git diff` or a code review.
 */
import type { MatrixResults } from '../results.js';

export function jsonReport(results: MatrixResults): string {
  const { cells, ...header } = results;
  const head = JSON.stringify({ ...header, cells: [] }, null, 2);
  if (cells.length === 0) return `${head}\n`;
  const lines = cells.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${head.slice(0, head.lastIndexOf('[]'))}[\n${lines}\n  ]\n}\n`;
}
