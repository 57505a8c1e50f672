/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched)
 * that opens anywhere. It shows the outcome, the matrix as a heat map coloured by behaviour
 * (failures outlined red, errors dashed, changes orange), the behaviours it is coloured by, a
 * heat map per memory figure that differs between cells, the host-memory timelines, and the
 * failures with their reasons.
 */
import { heatmapLayout, heatmapSvg, type HeatCell } from '../charts/heatmap.js';
import { lineChartSvg, type Series } from '../charts/line-chart.js';
import { CATEGORY_COLOURS, esc, SCALE_COLOURS } from '../charts/svg.js';
import { sizeText } from '../format.js';
import { cellName, cellProblems, type CellResult, type MatrixResults } from '../results.js';
import { behaviourIndex, behaviourTable, memoryColumns, shape, type Behaviour } from '../summary.js';

export interface HtmlOptions {
  readonly changed?: ReadonlySet<number>;
}

/** Above this many cells the page lists failing cells only; the heat maps still show every cell. */
const CELL_TABLE_LIMIT = 2000;
/** Distinct timeline curves drawn per chart. */
const MAX_SERIES = 8;

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.summary span{display:inline-block;margin-right:14px;font-weight:600}.pass{color:#2e7d32}.fail{color:#c62828}.error{color:#6a1b9a}.changed{color:#e65100}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f5f5f7}
td.wrap{max-width:420px;overflow-wrap:break-word}.swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
.scroll{overflow:auto;max-height:80vh;border:1px solid #eee;padding:4px}
svg text{font:10px system-ui,-apple-system,"Segoe UI",sans-serif;fill:#333}svg .axis line{stroke:#999}svg .grid{stroke:#eee}svg .note{fill:#777}
svg.heatmap rect,svg.swatch rect{stroke:#c8c8c8;stroke-width:.5}rect.fail{stroke:#c62828;stroke-width:2}rect.err{stroke:#000;stroke-width:1.5;stroke-dasharray:2 1}rect.chg{stroke:#e65100;stroke-width:2}
${CATEGORY_COLOURS.map((c, i) => `.b${i}{fill:${c}}`).join('')}
${SCALE_COLOURS.map((c, i) => `.m${i}{fill:${c}}`).join('')}
`;

const swatch = (className: string): string => `<svg class="swatch" width="12" height="12"><rect width="12" height="12" class="${className}"/></svg>`;

const behaviourClass = (id: string, list: readonly Behaviour[]): string => `b${list.findIndex((b) => b.id === id) % CATEGORY_COLOURS.length}`;

function marks(c: CellResult, changed: ReadonlySet<number>): string {
  return [c.status === 'fail' ? 'fail' : c.status === 'error' ? 'err' : '', changed.has(c.index) ? 'chg' : ''].filter(Boolean).join(' ');
}

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], wrap: readonly number[] = []): string {
  const cell = (text: string, i: number) => `<td${wrap.includes(i) ? ' class="wrap"' : ''}>${text}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

/** Distinct curves of one timeline figure, most common first. */
function timelineSeries(cells: readonly CellResult[], figure: 'rss' | 'host'): { points: string[]; series: Series[]; omitted: number } {
  const withTimeline = cells.filter((c) => c.timeline.length > 0);
  const points = withTimeline[0]?.timeline.map((p) => p.at) ?? [];
  const curves = new Map<string, { values: number[]; cells: CellResult[] }>();
  for (const c of withTimeline) {
    if (c.timeline.length !== points.length) continue;
    const values = c.timeline.map((p) => p[figure]);
    const key = values.join(',');
    const curve = curves.get(key);
    if (curve) curve.cells.push(c);
    else curves.set(key, { values, cells: [c] });
  }
  const sorted = [...curves.values()].sort((a, b) => b.cells.length - a.cells.length || a.cells[0]!.index - b.cells[0]!.index);
  const series = sorted
    .slice(0, MAX_SERIES)
    .map((s) => ({ values: s.values, label: `${s.cells.length} cell${s.cells.length === 1 ? '' : 's'}, e.g. ${cellName(s.cells[0]!)}` }));
  return { points, series, omitted: Math.max(0, sorted.length - MAX_SERIES) };
}

export function htmlReport(results: MatrixResults, options: HtmlOptions = {}): string {
  const changed = options.changed ?? new Set<number>();
  const cells = results.cells;
  const s = results.summary;
  const body: string[] = [`<h1>${esc(results.matrix.file)}</h1>`];
  if (results.matrix.description) body.push(`<p>${esc(results.matrix.description)}</p>`);
  body.push(
    `<p class="summary"><span>${cells.length} of ${results.matrix.cells} cells</span><span class="pass">${s.pass} pass</span><span class="fail">${s.fail} fail</span><span class="error">${s.error} error</span>${options.changed ? `<span class="changed">${changed.size} changed</span>` : ''}</p>`,
    `<p>Dimensions: ${esc(shape(results))}${results.selection.filter === undefined ? '' : `; --filter ${esc(results.selection.filter)}`}${results.selection.shards ? `; shard ${results.selection.shards.indexes.join(', ')} of ${results.selection.shards.of}` : ''}. Generated by hotmem ${esc(results.hotmem)} from ${esc(results.matrix.digest)}.</p>`,
  );
  if (cells.length === 0) return page(results, body);

  const table = behaviourTable(results);
  const list = table.behaviours;
  const ids = behaviourIndex(list);
  const layout = heatmapLayout(
    results.matrix.dimensions.map((d) => d.name),
    cells,
  );
  const heat: HeatCell[] = cells.map((c) => ({
    coordinates: c.coordinates,
    className: [behaviourClass(ids.get(c.index)!, list), marks(c, changed)].filter(Boolean).join(' '),
    title: `#${c.index} ${cellName(c)}\n${c.status}${changed.has(c.index) ? ' (changed)' : ''}, behaviour ${ids.get(c.index)!}${c.status === 'pass' ? '' : `\n${cellProblems(c)[0]!.split('\n')[0]!}`}`,
  }));
  body.push(
    '<h2>Matrix</h2>',
    `<p>Rows: ${esc(layout.rows.join(' × '))}; columns: ${esc(layout.columns.join(' × '))}. Colour: behaviour (below); red outline: failed; dashed: error; orange: changed. Hover a square for its cell.</p>`,
  );
  body.push(`<div class="scroll">${heatmapSvg(heat, layout, 'cells by behaviour')}</div>`);

  body.push(
    '<h2>Behaviours</h2>',
    `<p>Cells grouped by what they observed${table.head.length === 3 ? '; every cell observed the same' : '; only observations that differ between cells are shown'}.</p>`,
  );
  for (const shared of table.shared)
    body.push(`<p><b>${esc(shared.name)}</b> of every behaviour: ${esc(shared.features.join(' '))}; the table lists the others.</p>`);
  body.push(
    htmlTable(
      table.head,
      table.rows.map(([id, ...rest]) => [`${swatch(behaviourClass(id!, list))} ${esc(id!)}`, ...rest.map(esc)]),
      table.head.slice(3).map((_, i) => i + 3),
    ),
  );

  for (const { point, measure } of memoryColumns(cells)) {
    const values = cells.map((c) => c.memory[point]?.[measure]);
    const known = values.filter((v): v is number => v !== undefined);
    const min = Math.min(...known);
    const max = Math.max(...known);
    if (known.length === 0 || min === max) continue;
    const step = (v: number) => Math.min(SCALE_COLOURS.length - 1, Math.floor(((v - min) / (max - min)) * SCALE_COLOURS.length));
    const memHeat: HeatCell[] = cells.flatMap((c, i) =>
      values[i] === undefined
        ? []
        : [
            {
              coordinates: c.coordinates,
              className: `m${step(values[i])} ${marks(c, changed)}`.trim(),
              title: `#${c.index} ${cellName(c)}\n${measure} at ${point}: ${sizeText(values[i])}`,
            },
          ],
    );
    body.push(
      `<h2>Host memory: ${esc(measure)} at ${esc(point)}</h2>`,
      `<p>From ${swatch('m0')} ${esc(sizeText(min))} to ${swatch(`m${SCALE_COLOURS.length - 1}`)} ${esc(sizeText(max))}.</p>`,
    );
    body.push(`<div class="scroll">${heatmapSvg(memHeat, layout, `${measure} at ${point}`)}</div>`);
  }

  for (const figure of ['rss', 'host'] as const) {
    const t = timelineSeries(cells, figure);
    if (t.series.length === 0) continue;
    body.push(
      `<h2>Timeline: ${figure === 'rss' ? 'QEMU RSS' : 'host memory in use'}</h2>`,
      `<p>At start-up and after each step; one line per distinct curve.</p>`,
    );
    body.push(lineChartSvg(t.points, t.series, `${figure} over the scenario`, t.omitted));
  }

  const problems = cells.filter((c) => c.status !== 'pass');
  if (problems.length > 0) {
    body.push(`<h2>Failures and errors (${problems.length})</h2>`);
    body.push(
      htmlTable(
        ['#', 'cell', 'status', 'reason'],
        problems.map((c) => [
          String(c.index),
          esc(cellName(c)),
          `<span class="${c.status}">${c.status}</span>`,
          esc(cellProblems(c).join('\n')).replaceAll('\n', '<br>'),
        ]),
        [3],
      ),
    );
  }
  if (cells.length <= CELL_TABLE_LIMIT) {
    const dims = results.matrix.dimensions.map((d) => d.name);
    body.push('<h2>Cells</h2>');
    body.push(
      htmlTable(
        ['#', ...dims, 'status', 'behaviour'],
        cells.map((c) => [
          String(c.index),
          ...dims.map((d) => esc(c.coordinates[d] ?? '')),
          `<span class="${c.status}">${c.status}${changed.has(c.index) ? ' *' : ''}</span>`,
          esc(ids.get(c.index) ?? ''),
        ]),
      ),
    );
  } else {
    body.push(`<p>${cells.length} cells: the heat maps show every one; the JSON report (--format json) lists them.</p>`);
  }
  return page(results, body);
}

function page(results: MatrixResults, body: readonly string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(results.matrix.file)}: hotmem matrix</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
