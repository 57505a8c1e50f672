/** `hotmem matrix diff --format markdown`: the changes as a table, for a pull request or an issue. */
import type { MatrixDiff } from '../diff.js';
import { changeLines } from './diff-terminal.js';

const md = (text: string): string => text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', '<br>');

export function diffMarkdownReport(diff: MatrixDiff): string {
  const out = [`# ${diff.old.file} → ${diff.new.file}`, ''];
  for (const c of diff.compared) out.push(`- comparing **${c.dimension}**: ${c.old} → ${c.new}`);
  out.push(
    `- cells matched on ${diff.matchedOn.join(', ') || 'no dimension'}: **${diff.changed.length} changed**, ${diff.unchanged} unchanged, ${diff.onlyOld.length} only in old, ${diff.onlyNew.length} only in new`,
  );
  if (diff.changed.length > 0) {
    out.push('', '| cell | what changed |', '|---|---|');
    for (const c of diff.changed) {
      const cell = Object.entries(c.coordinates)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out.push(`| ${md(cell)} | ${md(changeLines(c).join('\n'))} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
