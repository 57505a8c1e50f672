/** Plain-text tables for the terminal reports: columns padded to their widest cell. */

/** ANSI styling, or none when the output is not a colour terminal. */
export interface Paint {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly magenta: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;

export const COLOURS: Paint = { red: ansi(31), green: ansi(32), yellow: ansi(33), magenta: ansi(35), bold: ansi(1), dim: ansi(2) };
const plain = (s: string) => s;
export const NO_COLOURS: Paint = { red: plain, green: plain, yellow: plain, magenta: plain, bold: plain, dim: plain };

/**
 * Rows of cells as aligned text. `style` colours a cell after padding, so escape codes do not
 * count towards widths.
 */
export function textTable(rows: readonly (readonly string[])[], style: (row: number, col: number, text: string) => string = (_r, _c, t) => t): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => r[col]?.length ?? 0))) ?? [];
  return rows.map((r, i) =>
    r
      .map((cell, col) => style(i, col, col === r.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}
