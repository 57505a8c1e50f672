/**
 * The Markdown report, for pull requests, issues and READMEs: outcome, behaviours (observations
 * that differ between cells), failures and errors with their reasons, then every cell.
 */
import { sizeText } from '../format.js';
import { cellName, cellProblems, type MatrixResults } from '../results.js';
import { behaviourIndex, behaviourTable, memoryColumns, reportOrder, shape } from '../summary.js';

export interface MarkdownOptions {
  readonly changed?: ReadonlySet<number>;
}

/** Table cell text: pipes escaped, line breaks as <br>. */
const md = (text: string): string => text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', '<br>');

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.map(md).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(md).join(' | ')} |`)];
}

export function markdownReport(results: MatrixResults, options: MarkdownOptions = {}): string {
  const changed = options.changed ?? new Set<number>();
  const cells = results.cells;
  const s = results.summary;
  const out: string[] = [`# ${results.matrix.file}`, ''];
  if (results.matrix.description) out.push(`> ${results.matrix.description.replaceAll('\n', ' ')}`, '');
  const counts = [`${s.pass} pass`, `${s.fail} fail`, `${s.error} error`, ...(options.changed ? [`${changed.size} changed`] : [])].join(' · ');
  out.push(`**${cells.length} of ${results.matrix.cells} cells**: ${counts}. Dimensions: ${shape(results)}.`);
  if (results.selection.filter !== undefined) out.push('', `Selected with \`--filter ${results.selection.filter}\`.`);
  if (results.selection.shards) out.push('', `Shard ${results.selection.shards.indexes.join(', ')} of ${results.selection.shards.of}.`);
  if (cells.length === 0) return `${out.join('\n')}\n`;

  const table = behaviourTable(results);
  const ids = behaviourIndex(table.behaviours);
  out.push(
    '',
    `## Behaviours`,
    '',
    table.head.length === 3 ? 'Every cell observed the same.' : 'Cells grouped by what they observed; only observations that differ between cells are shown.',
    '',
  );
  for (const s of table.shared) out.push(`${s.name} of every behaviour: ${s.features.join(' ')}; the table lists the others.`, '');
  out.push(...markdownTable(table.head, table.rows));

  const problems = cells.filter((c) => c.status !== 'pass');
  if (problems.length > 0) {
    out.push('', `## Failures and errors`, '');
    out.push(
      ...markdownTable(
        ['cell', 'status', 'reason'],
        problems.map((c) => [cellName(c), c.status, cellProblems(c).join('\n')]),
      ),
    );
  }

  const memory = memoryColumns(cells);
  const dims = results.matrix.dimensions.map((d) => d.name);
  out.push('', `## Cells`, '');
  out.push(
    ...markdownTable(
      ['#', ...dims, 'status', 'behaviour', ...memory.map((m) => `${m.measure} at ${m.point}`)],
      reportOrder(cells, changed).map((c) => [
        String(c.index),
        ...dims.map((d) => c.coordinates[d] ?? ''),
        c.status + (changed.has(c.index) ? ' (changed)' : ''),
        ids.get(c.index) ?? '',
        ...memory.map((m) => (c.memory[m.point]?.[m.measure] === undefined ? '–' : sizeText(c.memory[m.point]![m.measure]!))),
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}
