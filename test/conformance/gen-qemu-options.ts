/**
 * Generates src/frontends/cmdline/data/qemu-options.ts: every command-line option of each Debian
 * root's qemu-system-x86_64 and qemu-system-s390x, read from the binary itself.
 *
 * vl.c looks options up in `qemu_options[]`, an array of { name, flags, index, arch_mask } built
 * from qemu-options.hx at compile time (so it holds exactly the options that build has, hidden
 * ones included, which `-help` does not list). The binaries are stripped PIE executables: the
 * array's name pointers are R_X86_64_RELATIVE relocations, so the array is found as the run of
 * relocations 24 bytes apart that point at "h", "help", "version". Whether an option serves the
 * binary's target (arch_mask & arch_type) is asked of the binary: an option with a partial mask
 * is run once, and QEMU says "Option not supported for this target" or goes on.
 *
 * Run as root with the roots built, from the repository root:
 * `npx tsc -p tsconfig.json && node dist/test/conformance/gen-qemu-options.js`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUITES, isMissing, realQemu, suiteName, type RealQemu } from './real-qemu.js';
import { runQemu } from './qemu.js';
import type { Arch } from '../../src/core/arch.js';
import { QEMU_OPTS_LIST_OF } from '../../src/frontends/cmdline/option-syntax.js';

const ARCHES: readonly Arch[] = ['x86_64', 's390x'];
const HAS_ARG = 1;
const ALL_ARCHES = 0xffffffff;

interface TableEntry {
  readonly name: string;
  readonly hasArg: boolean;
  readonly archMask: number;
}

/** The parts of an x86-64 PIE executable the tables are read from. */
interface Image {
  /** R_X86_64_RELATIVE relocations: the pointer slot's address and the address it points to. */
  readonly relative: ReadonlyMap<number, number>;
  readonly fileOffset: (vaddr: number) => number | undefined;
  readonly cString: (vaddr: number | undefined) => string | undefined;
}

function image(elf: Buffer): Image {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const loads: { vaddr: number; offset: number; size: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (elf.readUInt32LE(p) === 1) {
      loads.push({ offset: Number(elf.readBigUInt64LE(p + 8)), vaddr: Number(elf.readBigUInt64LE(p + 16)), size: Number(elf.readBigUInt64LE(p + 32)) });
    }
  }
  const fileOffset = (vaddr: number): number | undefined => {
    const load = loads.find((l) => l.vaddr <= vaddr && vaddr < l.vaddr + l.size);
    return load ? vaddr - load.vaddr + load.offset : undefined;
  };
  const relative = new Map<number, number>();
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    if (elf.readUInt32LE(s + 4) !== 4 /* SHT_RELA */) continue;
    const offset = Number(elf.readBigUInt64LE(s + 24));
    const size = Number(elf.readBigUInt64LE(s + 32));
    for (let r = offset; r < offset + size; r += 24) {
      if ((elf.readBigUInt64LE(r + 8) & 0xffffffffn) === 8n /* R_X86_64_RELATIVE */) {
        relative.set(Number(elf.readBigUInt64LE(r)), Number(elf.readBigInt64LE(r + 16)));
      }
    }
  }
  const cString = (vaddr: number | undefined): string | undefined => {
    const at = vaddr === undefined ? undefined : fileOffset(vaddr);
    return at === undefined ? undefined : elf.toString('latin1', at, elf.indexOf(0, at));
  };
  return { relative, fileOffset, cString };
}

/** The qemu_options[] array. */
function optionTable(elf: Buffer, { relative, fileOffset, cString }: Image): TableEntry[] {
  for (const [slot, target] of relative) {
    if (cString(target) !== 'h' || cString(relative.get(slot + 24)) !== 'help' || cString(relative.get(slot + 48)) !== 'version') continue;
    const table: TableEntry[] = [];
    for (let entry = slot; relative.has(entry); entry += 24) {
      const at = fileOffset(entry)!;
      table.push({ name: cString(relative.get(entry))!, hasArg: (elf.readInt32LE(at + 8) & HAS_ARG) !== 0, archMask: elf.readUInt32LE(at + 16) });
    }
    return table;
  }
  throw new Error('no qemu_options[] table found');
}

/**
 * The QemuOptsList structs named `names`: { name, implied_opt_name, merge_lists, head, desc[] },
 * found as a name pointer whose empty head (QTAILQ_HEAD_INITIALIZER) points at itself, with
 * desc[] entries { name, type, help, def_value_str } up to the one without a name.
 */
function optsLists(elf: Buffer, { relative, fileOffset, cString }: Image, names: ReadonlySet<string>): Map<string, OptsList> {
  const found = new Map<string, OptsList>();
  for (const [slot, target] of relative) {
    const name = cString(target);
    if (name === undefined || !names.has(name) || relative.get(slot + 32) !== slot + 24) continue;
    const desc: [string, OptType][] = [];
    for (let entry = slot + 40; relative.has(entry); entry += 32) {
      desc.push([cString(relative.get(entry))!, OPT_TYPES[elf.readInt32LE(fileOffset(entry)! + 8)]!]);
    }
    const list: OptsList = { implied: cString(relative.get(slot + 8)), merge: elf[fileOffset(slot)! + 16] !== 0, desc };
    // Some names are also used by lists that only document options (query-command-line-options,
    // "drive" thrice); the one vl.c registers for the option accepts any key, with an empty desc.
    if (!found.has(name) || desc.length === 0) found.set(name, list);
  }
  return found;
}

/** QemuOptType's values, in enum order. */
const OPT_TYPES = ['string', 'bool', 'number', 'size'] as const;
type OptType = (typeof OPT_TYPES)[number];

interface OptsList {
  readonly implied: string | undefined;
  readonly merge: boolean;
  readonly desc: readonly (readonly [string, OptType])[];
}

/** Asks the binary whether an option with a partial arch mask serves its target. */
async function servesTarget(q: RealQemu, entry: TableEntry): Promise<boolean> {
  // The arch check comes before the option is acted on; the bad machine type then ends the run.
  const args = [`-${entry.name}`, ...(entry.hasArg ? ['hotmem-probe'] : []), '-machine', 'hotmem-probe'];
  const run = await runQemu(q.binary, args, { timeoutMs: 10_000 });
  if (run.timedOut) throw new Error(`${q.binary} ${args.join(' ')} did not exit`);
  return !run.stderr.includes('Option not supported for this target');
}

/** The CPU models `-cpu help` lists (up to its first blank line; a name may carry an "x86 " or "s390 " prefix). */
async function cpuModels(q: RealQemu): Promise<string[]> {
  const run = await runQemu(q.binary, ['-cpu', 'help']);
  if (run.code !== 0) throw new Error(`${q.binary} -cpu help: exit ${String(run.code)}`);
  const models: string[] = [];
  for (const line of run.stdout.split('\n')) {
    if (line === 'Available CPUs:') continue;
    if (line.trim() === '') break;
    const match = /^(?:x86 |s390 | {2})(\S+)/.exec(line);
    if (!match) throw new Error(`${q.binary} -cpu help: unexpected line ${JSON.stringify(line)}`);
    models.push(match[1]!);
  }
  return models;
}

interface Window<T> {
  readonly value: T;
  readonly since: string;
  readonly until: string | undefined;
}

/**
 * What the binaries show, as windows of releases: consecutive binaries that agree make one; a
 * change is dated to the first binary that shows it.
 */
function windows<T>(byRelease: ReadonlyMap<string, T>): Window<T>[] {
  const out: Window<T>[] = [];
  let open: { value: T; since: string } | undefined;
  for (const release of BINARY_RELEASES) {
    const here = byRelease.get(release);
    if (here !== undefined && open && JSON.stringify(here) === JSON.stringify(open.value)) continue;
    if (open) out.push({ ...open, until: release });
    open = here === undefined ? undefined : { value: here, since: release === BINARY_RELEASES[0] ? FIRST_MODELLED : release };
  }
  if (open) out.push({ ...open, until: undefined });
  return out;
}

const window = (w: Window<unknown>): string => `since: '${w.since}'${w.until ? `, until: '${w.until}'` : ''}`;
const quoted = (text: string): string => `'${text}'`;

async function main(): Promise<void> {
  const options = new Map<string, Map<string, { arg: boolean; targets: Arch[] }>>();
  const lists = new Map<string, Map<string, OptsList>>();
  const cpus = new Map<Arch, Map<string, string[]>>(ARCHES.map((a) => [a, new Map()]));
  const sources: string[] = [];
  const wantedLists = new Set(Object.values(QEMU_OPTS_LIST_OF));
  for (const { suite, release } of SUITES) {
    const listsHere: Map<string, OptsList>[] = [];
    for (const arch of ARCHES) {
      const q = realQemu(suite, arch);
      if (isMissing(q)) throw new Error(q.missing);
      sources.push(`${q.versionLine} (${suiteName(suite)}, qemu-system-${arch})`);
      const elf = readFileSync(join(q.root, 'usr', 'bin', `qemu-system-${arch}`));
      const img = image(elf);
      for (const entry of optionTable(elf, img)) {
        const byRelease = options.get(entry.name) ?? new Map<string, { arg: boolean; targets: Arch[] }>();
        const known = byRelease.get(release) ?? { arg: entry.hasArg, targets: [] };
        if (known.arg !== entry.hasArg) throw new Error(`${suite}: -${entry.name} takes an argument on one target only`);
        if (entry.archMask === ALL_ARCHES || (await servesTarget(q, entry))) known.targets.push(arch);
        byRelease.set(release, known);
        options.set(entry.name, byRelease);
      }
      listsHere.push(optsLists(elf, img, wantedLists));
      cpus.get(arch)!.set(release, await cpuModels(q));
    }
    if (JSON.stringify([...listsHere[0]!]) !== JSON.stringify([...listsHere[1]!])) throw new Error(`${suite}: the targets' QemuOptsLists differ`);
    for (const [name, list] of listsHere[0]!) lists.set(name, (lists.get(name) ?? new Map<string, OptsList>()).set(release, list));
  }
  const optionRows = [...options].flatMap(([name, byRelease]) =>
    windows(byRelease).map((w) => `  { name: '${name}', arg: ${String(w.value.arg)}, targets: [${w.value.targets.map(quoted).join(', ')}], ${window(w)} },`),
  );
  const listRows = [...lists].flatMap(([name, byRelease]) =>
    windows(byRelease).map((w) => {
      const desc = w.value.desc.map(([key, type]) => `['${key}', '${type}']`).join(', ');
      const implied = w.value.implied === undefined ? '' : `implied: '${w.value.implied}', `;
      return `  { name: '${name}', ${implied}merge: ${String(w.value.merge)}, desc: [${desc}], ${window(w)} },`;
    }),
  );
  const cpuRows = [...cpus].flatMap(([arch, byRelease]) =>
    windows(byRelease).map((w) => `  { arch: '${arch}', models: [${w.value.map(quoted).join(', ')}], ${window(w)} },`),
  );
  const text = `/**
 * Every command-line option of qemu-system-x86_64 and qemu-system-s390x, by release: whether it
 * takes an argument, the targets it serves and the releases that have it (since <= r < until);
 * and the QemuOptsLists those options are parsed with (implied key, merging, the keys and their
 * types; an empty desc accepts any key); and the CPU models -cpu takes (\`-cpu help\`).
 * GENERATED by test/conformance/gen-qemu-options.ts from the binaries' qemu_options[] and
 * QemuOptsList tables; do not edit. Read from:
${sources.map((s) => ` *   ${s}`).join('\n')}
 * Releases between these binaries take the newer binary's answer for anything that changed in
 * between (no source history was at hand to date it); ${FIRST_MODELLED} takes 5.2's.
 */
import type { Arch } from '../../../core/arch.js';

export interface QemuOptionData {
  readonly name: string;
  readonly arg: boolean;
  readonly targets: readonly Arch[];
  readonly since: string;
  readonly until?: string;
}

export type QemuOptType = ${OPT_TYPES.map(quoted).join(' | ')};

export interface QemuOptsListData {
  readonly name: string;
  readonly implied?: string;
  readonly merge: boolean;
  readonly desc: ReadonlyArray<readonly [string, QemuOptType]>;
  readonly since: string;
  readonly until?: string;
}

export const QEMU_OPTION_DATA: readonly QemuOptionData[] = [
${optionRows.join('\n')}
];

export const QEMU_OPTS_LIST_DATA: readonly QemuOptsListData[] = [
${listRows.join('\n')}
];

export interface CpuModelData {
  readonly arch: Arch;
  readonly models: readonly string[];
  readonly since: string;
  readonly until?: string;
}

export const CPU_MODEL_DATA: readonly CpuModelData[] = [
${cpuRows.join('\n')}
];
`;
  const out = join(process.cwd(), 'src', 'frontends', 'cmdline', 'data', 'qemu-options.ts');
  writeFileSync(out, text);
  execFileSync('npx', ['prettier', '--write', out], { stdio: 'ignore' });
}

const BINARY_RELEASES = SUITES.map((s) => s.release);
const FIRST_MODELLED = '5.1';

await main();
