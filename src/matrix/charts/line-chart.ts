/**
 * A line chart of host memory over a scenario's points (start, then after each step): one line
 * per distinct curve, labelled with how many cells follow it and one of them. Cells of a matrix
 * mostly share a few curves, so distinct curves, not cells, are what is drawn.
 */
import { sizeText } from '../format.js';
import { CATEGORY_COLOURS, esc, n, textWidth } from './svg.js';

export interface Series {
  readonly values: readonly number[];
  readonly label: string;
}

const W = 720;
const PLOT_H = 220;
const LEFT = 72;
const RIGHT = 16;
const TOP = 12;
const AXIS_H = 40;
const LEGEND_LINE = 16;
const FONT = 10;

/** Tick values 0..max at a step of 1, 2 or 5 times a power of two's binary unit. */
function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const raw = max / 4;
  const unit = 2 ** Math.floor(Math.log2(raw));
  const step = [1, 2, 4, 8].map((k) => k * unit).find((s) => s >= raw) ?? unit * 8;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(v);
  return out;
}

export function lineChartSvg(points: readonly string[], series: readonly Series[], title: string, omitted: number): string {
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const yTicks = ticks(max);
  const top = yTicks.at(-1)! || 1;
  const legendH = (series.length + (omitted > 0 ? 1 : 0)) * LEGEND_LINE + 8;
  const height = TOP + PLOT_H + AXIS_H + legendH;
  const x = (i: number) => LEFT + (points.length === 1 ? (W - LEFT - RIGHT) / 2 : (i * (W - LEFT - RIGHT)) / (points.length - 1));
  const y = (v: number) => TOP + PLOT_H - (v / top) * PLOT_H;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">`,
  ];
  out.push('<g class="axis">');
  for (const t of yTicks) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${n(y(t))}" y2="${n(y(t))}" class="grid"/>`);
    out.push(`<text x="${LEFT - 6}" y="${n(y(t) + 3)}" text-anchor="end">${esc(sizeText(t))}</text>`);
  }
  points.forEach((p, i) => {
    const fits = points.length * textWidth(p, FONT) < W - LEFT - RIGHT;
    // The outermost labels align with the plot's edges so they stay inside the picture.
    const anchor = points.length > 1 && i === 0 ? 'start' : points.length > 1 && i === points.length - 1 ? 'end' : 'middle';
    out.push(`<text x="${n(x(i))}" y="${TOP + PLOT_H + 14 + (fits ? 0 : (i % 2) * 12)}" text-anchor="${anchor}">${esc(p)}</text>`);
  });
  out.push('</g>');
  series.forEach((s, k) => {
    const colour = CATEGORY_COLOURS[k % CATEGORY_COLOURS.length]!;
    const path = s.values.map((v, i) => `${n(x(i))},${n(y(v))}`).join(' ');
    out.push(`<g><title>${esc(s.label)}</title><polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [i, v] of s.values.entries())
      out.push(`<circle cx="${n(x(i))}" cy="${n(y(v))}" r="3" fill="${colour}"><title>${esc(`${points[i]!}: ${sizeText(v)}`)}</title></circle>`);
    out.push('</g>');
    const ly = TOP + PLOT_H + AXIS_H + k * LEGEND_LINE;
    out.push(`<rect x="${LEFT}" y="${ly}" width="12" height="10" fill="${colour}"/><text x="${LEFT + 18}" y="${ly + 9}">${esc(s.label)}</text>`);
  });
  if (omitted > 0)
    out.push(`<text x="${LEFT}" y="${TOP + PLOT_H + AXIS_H + series.length * LEGEND_LINE + 9}" class="note">${omitted} more distinct curves not drawn</text>`);
  out.push('</svg>');
  return out.join('\n');
}
