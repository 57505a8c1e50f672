import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.js';
import { loadDefinitionFile } from '../../frontends/yaml/load.js';
import { runDefinition } from '../../frontends/yaml/run.js';
import type { Command } from '../command.js';
import { DEMO_INFO } from './info.js';
import { RUN_ENVIRONMENT } from './run.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const size = (bytes: number): string => (bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`);

/** The built-in scenarios `hotmem demo` runs, shipped with the package. */
export const demoDefinitions = (): string[] => {
  const dir = join(packageRoot(), 'examples', 'demo');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
};

export const demoCommand: Command = {
  ...DEMO_INFO,
  run(_args, io) {
    io.out('hotmem demo: a 16 GiB guest reads all of its untouched memory (as a dump does)\n\n');
    const rows = [['host', 'kernel', 'backend', 'QEMU RSS after', 'host memory in use', 'as expected']];
    let failures = 0;
    for (const file of demoDefinitions()) {
      const def = loadDefinitionFile(file);
      const report = runDefinition(def, RUN_ENVIRONMENT);
      failures += report.failures;
      const last = report.steps.at(-1)!;
      const backend = def.objects[0]?.type ?? '';
      rows.push([def.host.arch, def.host.kernel, backend, size(last.rss), size(last.host), report.failures === 0 ? 'yes' : 'NO']);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows)
      io.out(
        `${r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    io.out(
      '\nWith a shared zeropage (private anonymous memory; s390x KVM before 4.14 and from 6.10)\n' +
        'reading costs nothing but page tables. Without one (memfd, shared memory; s390x KVM from\n' +
        '4.14 to 6.9, where mm_forbids_zeropage() holds for the whole process) every page read\n' +
        'becomes a real page: the seed behind the 100 GiB s390x migration that filled both hosts.\n',
    );
    return failures === 0 ? 0 : 1;
  },
};
