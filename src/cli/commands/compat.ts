import { release as parseRelease } from '../../core/release.js';
import { compatDiff, type CompatDiffRow, type MachineSide } from '../../machine/compat-diff.js';
import { parseArgs } from '../args.js';
import { qemuBinary } from '../binary.js';
import { UsageError, type Command } from '../command.js';
import { COMPAT_INFO } from './info.js';

function format(rows: readonly CompatDiffRow[], headers: readonly string[], kind: string): string {
  const cell = (v: string | undefined) => v ?? '-';
  const table = [['driver', 'property', ...headers], ...rows.map((r) => [r.driver, r.property, ...r.values.map(cell)])];
  switch (kind) {
    case 'json':
      return `${JSON.stringify(
        rows.map((r) => ({ driver: r.driver, property: r.property, values: Object.fromEntries(headers.map((h, i) => [h, r.values[i] ?? null])) })),
        null,
        2,
      )}\n`;
    case 'csv':
      return table.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n') + '\n';
    default: {
      const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
      return (
        table
          .map((r) =>
            r
              .map((c, i) => c.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n') + '\n'
      );
    }
  }
}

export const compatCommand: Command = {
  ...COMPAT_INFO,
  run(args, io) {
    const parsed = parseArgs(args, [
      { name: 'qemu-version', takesValue: true },
      { name: 'arch', takesValue: true, choices: ['x86_64', 's390x'] },
      { name: 'format', takesValue: true, choices: ['table', 'json', 'csv'] },
      { name: 'raw', takesValue: false },
    ]);
    const [verb, ...names] = parsed.positionals;
    if (verb !== 'diff' || names.length !== 2) throw new UsageError('expects: compat diff A B');
    const binary = qemuBinary(parsed.options);
    const sides: MachineSide[] = names.map((name) => {
      const [machine, at] = name.split('@') as [string, string | undefined];
      const r = at === undefined ? binary.release : parseRelease(at);
      const entry = binary.environment.catalog.resolve(r, binary.arch, machine);
      if (!entry) throw new UsageError(`'${machine}' is not a machine type of QEMU ${r.major}.${r.minor} (${binary.arch})`);
      return { release: r, arch: binary.arch, machine: entry.name };
    });
    const rows = compatDiff(binary.environment.catalog, binary.environment.registry, sides, parsed.options.has('raw'));
    io.out(format(rows, names, (parsed.options.get('format') as string | undefined) ?? 'table'));
    return 0;
  },
};
