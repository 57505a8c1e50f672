/**
 * Reading results files back (for merge, diff and --baseline): JSON that a matrix run wrote, of
 * this results format. Results are data hotmem wrote itself, so the check is of their shape,
 * enough to name a wrong file (a matrix file, another tool's JSON) instead of failing later.
 */
import { readFileSync } from 'node:fs';
import { HotmemError } from '../core/errors.js';
import { RESULTS_FORMAT, type MatrixResults } from './results.js';

export function parseResults(text: string, file: string): MatrixResults {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HotmemError('matrix.bad-results', `${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, { file });
  }
  return checkResultsShape(value, file);
}

export function checkResultsShape(value: unknown, file: string): MatrixResults {
  const v = value as Partial<MatrixResults> | null;
  if (v === null || typeof v !== 'object' || v.format !== RESULTS_FORMAT) {
    throw new HotmemError('matrix.bad-results', `${file}: not hotmem matrix results (${RESULTS_FORMAT}); write them with hotmem matrix run --format json`, {
      file,
    });
  }
  if (
    !Array.isArray(v.cells) ||
    typeof v.matrix !== 'object' ||
    !Array.isArray(v.matrix.dimensions) ||
    typeof v.selection !== 'object' ||
    typeof v.summary !== 'object'
  ) {
    throw new HotmemError('matrix.bad-results', `${file}: hotmem matrix results with parts missing (matrix, selection, summary or cells)`, { file });
  }
  return v as MatrixResults;
}

export function readResultsFile(path: string): MatrixResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as { code?: unknown }).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new HotmemError('matrix.bad-results', `cannot read ${path}: ${reason}`, { file: path });
  }
  return parseResults(text, path);
}
