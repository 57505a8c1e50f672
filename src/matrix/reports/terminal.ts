/**
 * The terminal report: the matrix's shape and outcome, its behaviours (cells grouped by what
 * they observed, showing only observations that differ between cells), then the cells with
 * errors, failures and changes first. Large matrices show their first cells only; the other
 * formats hold every cell.
 */
import { cellProblems, type CellResult, type MatrixResults } from '../results.js';
import { behaviourIndex, behaviourTable, memoryColumns, reportOrder, shape } from '../summary.js';
import { sizeText } from '../format.js';
import { COLOURS, NO_COLOURS, textTable, type Paint } from './table.js';

export interface TerminalOptions {
  readonly color: boolean;
  /** Cells that changed since a baseline run. */
  readonly changed?: ReadonlySet<number>;
  /** At most this many cell rows (default 40). */
  readonly rows?: number;
}

/** Observation texts longer than this become numbered notes under the behaviours table. */
const NOTE_AFTER = 24;

/** `pass`, `fail`, `error`, with `*` on cells that changed since the baseline. */
const statusLabel = (c: CellResult, changed: ReadonlySet<number>): string => c.status + (changed.has(c.index) ? '*' : '');

function statusPaint(c: CellResult, changed: ReadonlySet<number>, p: Paint): (s: string) => string {
  return c.status === 'error' ? p.magenta : c.status === 'fail' ? p.red : changed.has(c.index) ? p.yellow : p.green;
}

/** Styles a padded cell's text, leaving its padding plain. */
const styled = (padded: string, paint: (s: string) => string): string => {
  const text = padded.trimEnd();
  return paint(text) + ' '.repeat(padded.length - text.length);
};

export function terminalReport(results: MatrixResults, options: TerminalOptions): string {
  const p = options.color ? COLOURS : NO_COLOURS;
  const changed = options.changed ?? new Set<number>();
  const cells = results.cells;
  const s = results.summary;
  const lines: string[] = [];
  const counts = [
    p.green(`${s.pass} pass`),
    s.fail > 0 ? p.red(`${s.fail} fail`) : `${s.fail} fail`,
    s.error > 0 ? p.magenta(`${s.error} error`) : `${s.error} error`,
  ];
  if (options.changed) counts.push(changed.size > 0 ? p.yellow(`${changed.size} changed`) : '0 changed');
  lines.push(p.bold(`${results.matrix.file}: ${cells.length} of ${results.matrix.cells} cells`) + ` (${shape(results)})`);
  const selection = [
    results.selection.filter === undefined ? '' : `--filter ${results.selection.filter}`,
    results.selection.shards ? `shard ${results.selection.shards.indexes.join(',')}/${results.selection.shards.of}` : '',
  ].filter(Boolean);
  lines.push(`  ${counts.join(', ')}${selection.length > 0 ? `  [${selection.join(', ')}]` : ''}`);
  if (cells.length === 0) return `${lines.join('\n')}\n`;

  const table = behaviourTable(results);
  const ids = behaviourIndex(table.behaviours);
  lines.push(
    '',
    p.bold(`Behaviours (${table.behaviours.length})`) +
      (table.head.length === 3 ? ': every cell observed the same' : ', by the observations that differ between cells:'),
  );
  for (const shared of table.shared) lines.push(p.dim(`  ${shared.name} of every behaviour: ${shared.features.join(' ')}`));
  const notes: string[] = [];
  const noted = (text: string): string => {
    if (text.length <= NOTE_AFTER) return text;
    if (!notes.includes(text)) notes.push(text);
    return `[${notes.indexOf(text) + 1}]`;
  };
  const rows = [table.head, ...table.rows.map((r) => [...r.slice(0, 3), ...r.slice(3).map(noted)])];
  const behaviourPaint = (t: string) => (t.includes('error') ? p.magenta : t.includes('fail') ? p.red : p.green);
  lines.push(...textTable(rows, (r, c, t) => (r === 0 ? p.dim(t) : c === 2 ? styled(t, behaviourPaint(t)) : t)).map((l) => `  ${l}`));
  notes.forEach((text, i) => lines.push(p.dim(`  [${i + 1}] ${text}`)));

  const limit = options.rows ?? 40;
  const ordered = reportOrder(cells, changed);
  const shown = ordered.slice(0, limit);
  const memory = memoryColumns(cells);
  const dims = results.matrix.dimensions.map((d) => d.name);
  lines.push('', p.bold(shown.length === cells.length ? 'Cells' : `Cells (the first ${shown.length} of ${cells.length}; errors, failures and changes first)`));
  const cellRows = [
    ['#', ...dims, 'status', 'behaviour', ...memory.map((m) => `${m.measure}@${m.point}`)],
    ...shown.map((c) => [
      String(c.index),
      ...dims.map((d) => c.coordinates[d] ?? ''),
      statusLabel(c, changed),
      ids.get(c.index) ?? '',
      ...memory.map((m) => (c.memory[m.point]?.[m.measure] === undefined ? '–' : sizeText(c.memory[m.point]![m.measure]!))),
    ]),
  ];
  const statusCol = dims.length + 1;
  textTable(cellRows, (r, col, t) => (r === 0 ? p.dim(t) : col === statusCol ? styled(t, statusPaint(shown[r - 1]!, changed, p)) : t)).forEach((l, i) => {
    lines.push(`  ${l}`);
    const c = i === 0 ? undefined : shown[i - 1];
    for (const problem of c ? cellProblems(c) : [])
      for (const line of problem.split('\n')) lines.push(`      ${c!.status === 'error' ? p.magenta(line) : p.red(line)}`);
  });
  if (shown.length < cells.length) lines.push(p.dim(`  … ${cells.length - shown.length} more cells: --format markdown, html or json lists every cell`));
  return `${lines.join('\n')}\n`;
}
