/**
 * `npm run bench`: finds every compiled `*.bench.js` module under dist/bench, runs each exported
 * benchmark and prints its figure and ratio to target. `--filter TEXT` runs matching names only.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ratioToTarget, type Benchmark } from './harness.js';

function benchFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return benchFiles(path);
      return name.endsWith('.bench.js') ? [path] : [];
    });
}

const filterIndex = process.argv.indexOf('--filter');
const filter = filterIndex >= 0 ? (process.argv[filterIndex + 1] ?? '') : '';
const rows: string[][] = [['benchmark', 'figure', 'target', 'ratio', 'detail']];
let missed = 0;
for (const file of benchFiles(dirname(fileURLToPath(import.meta.url)))) {
  const module = (await import(pathToFileURL(file).href)) as { benchmarks?: readonly Benchmark[] };
  for (const bench of module.benchmarks ?? []) {
    if (!bench.name.includes(filter)) continue;
    const result = await bench.run();
    const ratio = ratioToTarget(bench, result.figure);
    if (ratio > 1) missed++;
    rows.push([
      bench.name,
      `${result.figure.toPrecision(4)} ${bench.unit}`,
      `${bench.better === 'lower' ? '<=' : '>='} ${bench.target} ${bench.unit}`,
      `${ratio.toFixed(3)}${ratio > 1 ? ' (missed)' : ''}`,
      result.detail ?? '',
    ]);
  }
}
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
for (const row of rows)
  console.log(
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
console.log(`${rows.length - 1} benchmarks, ${missed} missed their target`);
