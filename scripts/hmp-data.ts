/**
 * Regenerates compat/hmp/ from the real QEMU binaries of the roots
 * (test/conformance/roots.sh): the human monitor's commands and `info` subcommands each release
 * has, as its `help` and `info` list them, so hotmem tells a command the release lacks (QEMU's
 * "unknown command") from one it has but hotmem does not model.
 *
 *   node dist/scripts/hmp-data.js [SUITE...]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../src/core/arch.js';
import { packageRoot } from '../src/core/package-root.js';
import type { HmpCommandTable } from '../src/frontends/hmp/command-table.js';
import { QmpSession } from '../test/conformance/qemu.js';
import { SUITES, isMissing, realQemu, type Suite } from '../test/conformance/real-qemu.js';

const ARCHES: readonly Arch[] = ['x86_64', 's390x'];

/**
 * A help line starts with the command's names (`c|cont`); a long synopsis or description goes on
 * in lines that start with a tab, a space or a bracket.
 */
const names = (help: string, skip: number): string[] =>
  help
    .split('\r\n')
    .filter((line) => /^[a-z?]/i.test(line))
    .flatMap((line) => line.split(' ')[skip]!.split('|'));

async function generate(suite: Suite, arch: Arch): Promise<void> {
  const q = realQemu(suite, arch);
  if (isMissing(q)) {
    console.log(`skipped: ${q.missing}`);
    return;
  }
  const session = await QmpSession.start(q.binary, [], { paused: true });
  try {
    const version = await session.execute<{ qemu: { major: number; minor: number; micro: number }; package: string }>('query-version');
    const hmp = (line: string) => session.execute<string>('human-monitor-command', { 'command-line': line });
    const table: HmpCommandTable = {
      release: q.release,
      arch,
      source: `qemu-system-${arch} ${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro} (${version.package}), help and info`,
      commands: names(await hmp('help'), 0),
      info: names(await hmp('info'), 1),
    };
    writeFileSync(join(packageRoot(), 'compat', 'hmp', `${arch}-${q.release}.json`), `${JSON.stringify(table, null, 1)}\n`);
    console.log(`${arch}-${q.release}: ${table.commands.length} commands, ${table.info.length} info subcommands`);
  } finally {
    await session.quit();
  }
}

const suites = process.argv.length > 2 ? (process.argv.slice(2) as Suite[]) : SUITES.map((s) => s.suite);
mkdirSync(join(packageRoot(), 'compat', 'hmp'), { recursive: true });
for (const suite of suites) for (const arch of ARCHES) await generate(suite, arch);
