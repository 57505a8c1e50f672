/** `hotmem matrix diff` as text: what is compared, then each changed cell with old → new. */
import type { MatrixDiff } from '../diff.js';
import { observationText, sizeText } from '../format.js';
import { COLOURS, NO_COLOURS } from './table.js';

const name = (coordinates: Readonly<Record<string, string>>): string =>
  Object.entries(coordinates)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(the only cell)';

/** The lines describing one changed cell, without colour. */
export function changeLines(c: MatrixDiff['changed'][number]): string[] {
  const lines: string[] = [];
  if (c.status) lines.push(`status: ${c.status.old} → ${c.status.new}`);
  for (const o of c.observations) lines.push(`${o.name}: ${observationText(o.name, o.old)} → ${observationText(o.name, o.new)}`);
  for (const m of c.memory) lines.push(`${m.figure}: ${m.old === undefined ? '–' : sizeText(m.old)} → ${m.new === undefined ? '–' : sizeText(m.new)}`);
  if (c.problems) lines.push(`problems: ${c.problems.old.join('; ') || 'none'} → ${c.problems.new.join('; ') || 'none'}`);
  return lines;
}

export function diffTerminalReport(diff: MatrixDiff, color: boolean): string {
  const p = color ? COLOURS : NO_COLOURS;
  const out = [p.bold(`${diff.old.file} (${diff.old.cells} cells) → ${diff.new.file} (${diff.new.cells} cells)`)];
  for (const c of diff.compared) out.push(`  comparing ${c.dimension}: ${c.old} → ${c.new}`);
  out.push(
    `  cells matched on ${diff.matchedOn.join(', ') || 'no dimension'}: ${diff.changed.length === 0 ? p.green('0 changed') : p.yellow(`${diff.changed.length} changed`)}, ${diff.unchanged} unchanged, ${diff.onlyOld.length} only in old, ${diff.onlyNew.length} only in new`,
  );
  for (const c of diff.changed) {
    out.push('', p.yellow(name(c.coordinates)));
    for (const line of changeLines(c)) out.push(`  ${line}`);
  }
  if (diff.onlyOld.length > 0) out.push('', p.bold('Only in old:'), ...diff.onlyOld.map((c) => `  ${name(c)}`));
  if (diff.onlyNew.length > 0) out.push('', p.bold('Only in new:'), ...diff.onlyNew.map((c) => `  ${name(c)}`));
  return `${out.join('\n')}\n`;
}
