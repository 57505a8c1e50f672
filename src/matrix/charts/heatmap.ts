/**
 * The matrix as a heat map: one square per cell, rows for the combinations of the leading
 * dimensions, columns for the trailing ones, with grouped labels on both axes. Each square is
 * coloured by a CSS class the caller defines and names its cell in a tooltip (<title>), so the
 * SVG needs no script.
 */
import { esc, n, textWidth } from './svg.js';

export interface HeatCell {
  readonly coordinates: Readonly<Record<string, string>>;
  /** CSS classes for the square (fill, and marks such as a failure outline). */
  readonly className: string;
  readonly title: string;
}

export interface HeatmapLayout {
  readonly rows: readonly string[];
  readonly columns: readonly string[];
}

/** The grid is at most this many columns wide. */
const MAX_COLUMNS = 48;

const distinct = (cells: ReadonlyArray<Pick<HeatCell, 'coordinates'>>, dims: readonly string[]): number =>
  new Set(cells.map((c) => JSON.stringify(dims.map((d) => c.coordinates[d])))).size;

/**
 * Rows take the leading dimensions, columns the trailing ones, split where the fewest squares
 * stay empty (a dimension that depends on a row dimension, such as machine types per release,
 * belongs with it), and of equally full splits the one with more columns within MAX_COLUMNS.
 */
export function heatmapLayout(dimensions: readonly string[], cells: ReadonlyArray<Pick<HeatCell, 'coordinates'>>): HeatmapLayout {
  let best: HeatmapLayout = { rows: dimensions, columns: [] };
  let bestDensity = -1;
  for (let k = 1; k < dimensions.length; k++) {
    const columns = dimensions.slice(dimensions.length - k);
    const width = distinct(cells, columns);
    if (width > MAX_COLUMNS) break;
    const rows = dimensions.slice(0, dimensions.length - k);
    const density = cells.length / (width * distinct(cells, rows));
    if (density >= bestDensity) {
      best = { rows, columns };
      bestDensity = density;
    }
  }
  return best;
}

const CELL_W = 14;
const CELL_H = 12;
const GAP = 2;
const FONT = 10;

/** Distinct label tuples over `dims`, in first-seen order. */
function keys(cells: readonly HeatCell[], dims: readonly string[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const c of cells) {
    const tuple = dims.map((d) => c.coordinates[d] ?? '');
    seen.set(JSON.stringify(tuple), tuple);
  }
  return [...seen.values()];
}

/** Runs of equal values at `level` within equal prefixes: [start, length, label]. */
function spans(tuples: readonly string[][], level: number): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  tuples.forEach((t, i) => {
    const prev = tuples[i - 1];
    const same = prev !== undefined && t.slice(0, level + 1).every((v, k) => v === prev[k]);
    if (same) out[out.length - 1]![1]++;
    else out.push([i, 1, t[level]!]);
  });
  return out;
}

export function heatmapSvg(cells: readonly HeatCell[], layout: HeatmapLayout, label: string): string {
  const rowKeys = keys(cells, layout.rows);
  const colKeys = keys(cells, layout.columns);
  const rowIndex = new Map(rowKeys.map((k, i) => [JSON.stringify(k), i]));
  const colIndex = new Map(colKeys.map((k, i) => [JSON.stringify(k), i]));
  // Column header: one band per column dimension; labels too wide for their group stand upright.
  const bands = layout.columns.map((_, level) => {
    const s = spans(colKeys, level);
    const upright = s.some(([, len, text]) => textWidth(text, FONT) > len * CELL_W - 2);
    const height = upright ? Math.max(...s.map(([, , text]) => textWidth(text, FONT))) + 6 : FONT + 6;
    return { spans: s, upright, height };
  });
  const rowLabelWidths = layout.rows.map((_, level) => Math.max(...spans(rowKeys, level).map(([, , t]) => textWidth(t, FONT))) + 8);
  const left = rowLabelWidths.reduce((a, b) => a + b, 0) + GAP;
  const top = bands.reduce((a, b) => a + b.height, 0) + GAP;
  const width = left + colKeys.length * CELL_W;
  const height = top + rowKeys.length * CELL_H;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">`,
  ];
  let y = 0;
  bands.forEach((band, level) => {
    out.push(`<g class="axis"><title>${esc(layout.columns[level]!)}</title>`);
    for (const [start, len, text] of band.spans) {
      const x = left + start * CELL_W;
      if (band.upright)
        out.push(
          `<text x="${n(x + (len * CELL_W) / 2 + 3)}" y="${n(y + band.height - 3)}" transform="rotate(-90 ${n(x + (len * CELL_W) / 2 + 3)} ${n(y + band.height - 3)})">${esc(text)}</text>`,
        );
      else out.push(`<text x="${n(x + (len * CELL_W) / 2)}" y="${n(y + band.height - 4)}" text-anchor="middle">${esc(text)}</text>`);
      if (len > 1) out.push(`<line x1="${n(x + 1)}" x2="${n(x + len * CELL_W - 1)}" y1="${n(y + band.height - 1)}" y2="${n(y + band.height - 1)}"/>`);
    }
    out.push('</g>');
    y += band.height;
  });
  let x = 0;
  layout.rows.forEach((dim, level) => {
    out.push(`<g class="axis"><title>${esc(dim)}</title>`);
    for (const [start, , text] of spans(rowKeys, level)) out.push(`<text x="${n(x + 2)}" y="${n(top + start * CELL_H + CELL_H - 2)}">${esc(text)}</text>`);
    out.push('</g>');
    x += rowLabelWidths[level]!;
  });
  for (const c of cells) {
    const r = rowIndex.get(JSON.stringify(layout.rows.map((d) => c.coordinates[d] ?? '')))!;
    const k = colIndex.get(JSON.stringify(layout.columns.map((d) => c.coordinates[d] ?? '')))!;
    out.push(
      `<rect x="${left + k * CELL_W}" y="${top + r * CELL_H}" width="${CELL_W - 1}" height="${CELL_H - 1}" class="${c.className}"><title>${esc(c.title)}</title></rect>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
