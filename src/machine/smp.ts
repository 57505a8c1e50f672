/**
 * -smp: the CPU topology a release computes from the members given (SMPConfiguration), the
 * machine's limits, and the possible CPUs that topology gives (the CPUArchIdList QEMU builds).
 * Two algorithms: before 6.2 each board's smp_parse (hw/core/machine.c, pc_smp_parse with dies
 * in hw/i386/pc.c), from 6.2 machine_parse_smp_config (hw/core/machine-smp.c) with the release's
 * checks of zero values and of levels a machine lacks.
 */
import type { Arch } from '../core/arch.js';
import { HotmemError, type Warning } from '../core/errors.js';
import { parseUint64 } from '../core/parse/scalars.js';
import { compareReleases, inWindow, type Release } from '../core/release.js';
import { machineErrors } from './errors.js';
import type { MachineVersion } from './family.js';

/** The topology levels, from the largest to the smallest. */
export const TOPOLOGY_LEVELS = ['drawers', 'books', 'sockets', 'dies', 'clusters', 'modules', 'cores', 'threads'] as const;
export type TopologyLevel = (typeof TOPOLOGY_LEVELS)[number];
export type SmpMember = TopologyLevel | 'cpus' | 'maxcpus';

/** The members given, as SMPConfiguration's has_X/X: absent when not given. */
export type SmpConfig = Readonly<Partial<Record<SmpMember, number>>>;

export type CpuTopology = Readonly<Record<TopologyLevel, number>> & { readonly cpus: number; readonly maxCpus: number };

/** What a machine type declares about its topology (MachineClass max_cpus and smp_props). */
export interface SmpMachineRules {
  /** The machine's name as QEMU prints it in the max-CPUs message. */
  readonly name: string;
  readonly maxCpus: number;
  /** smp_props.prefer_sockets: machine versions before 6.2 fill omitted sockets before cores. */
  readonly preferSockets: boolean;
  /** The optional levels the machine supports (sockets, cores and threads are always there). */
  readonly supported: ReadonlySet<TopologyLevel>;
  /** Before 6.2 the pc boards parse with pc_smp_parse, which knows dies. */
  readonly legacyParser: 'generic' | 'pc';
}

/** The levels SMPConfiguration gained after 6.1 (qapi/machine.json's "Since"), by release. */
const SMP_CONFIGURATION_SINCE: Readonly<Partial<Record<TopologyLevel, { major: number; minor: number }>>> = {
  clusters: { major: 7, minor: 0 },
  drawers: { major: 8, minor: 2 },
  books: { major: 8, minor: 2 },
  modules: { major: 9, minor: 1 },
};

/** machine_get_smp: the computed topology as the release's SMPConfiguration (qom-get /machine smp). */
export function smpConfiguration(topology: CpuTopology, r: Release): Readonly<Record<string, number>> {
  const levels = TOPOLOGY_LEVELS.filter((l) => {
    const since = SMP_CONFIGURATION_SINCE[l];
    return since === undefined || compareReleases(r, since) >= 0;
  });
  return { cpus: topology.cpus, maxcpus: topology.maxCpus, ...Object.fromEntries(levels.map((l) => [l, topology[l]])) };
}

const OPTIONAL_LEVELS: readonly TopologyLevel[] = ['drawers', 'books', 'dies', 'clusters', 'modules'];

/**
 * smp_props of a machine family and version in a release: the pc boards have dies (since 4.1)
 * and, from 9.1, modules; s390-ccw-virtio has drawers and books from 8.2 (not for its 8.1 and
 * older machine types). Machine versions before 6.2 prefer sockets.
 */
export function smpMachineRules(
  family: 'pc-i440fx' | 'pc-q35' | 's390-ccw-virtio',
  version: MachineVersion,
  r: Release,
  name: string,
  maxCpus: number,
): SmpMachineRules {
  const at = (v: Release, major: number, minor: number) => compareReleases(v, { major, minor }) >= 0;
  const supported = new Set<TopologyLevel>();
  if (family === 's390-ccw-virtio') {
    if (at(r, 8, 2) && version.atLeast(8, 2)) {
      supported.add('drawers');
      supported.add('books');
    }
  } else {
    supported.add('dies');
    if (at(r, 9, 1)) supported.add('modules');
  }
  return {
    name,
    maxCpus,
    // Asked when read, so a topology that never falls back to it does not depend on the version.
    get preferSockets() {
      return !version.atLeast(6, 2);
    },
    supported,
    legacyParser: family === 's390-ccw-virtio' ? 'generic' : 'pc',
  };
}

/**
 * The members as given (-smp, and -machine smp.X from 7.2), merged as QEMU merges them: a later
 * value of a member replaces an earlier one. Each value was checked as a number when its option
 * was parsed; QEMU keeps them in `unsigned` variables, so only the low 32 bits count.
 */
export function smpConfig(entries: ReadonlyArray<{ readonly name: string; readonly value: string }>): SmpConfig {
  const config: Partial<Record<SmpMember, number>> = {};
  for (const { name, value } of entries) {
    const parsed = parseUint64(value);
    if (!parsed.ok) throw new HotmemError('smp.value', `internal: -smp ${name}=${value} reached the topology unchecked`);
    config[name as SmpMember] = Number(BigInt.asUintN(32, parsed.value));
  }
  return config;
}

/** C's unsigned arithmetic, which the products and quotients of QEMU's parsers wrap in. */
const mul = (...factors: number[]): number => factors.reduce((a, b) => Math.imul(a, b) >>> 0, 1);
const div = (a: number, b: number): number => (b === 0 ? 0 : Math.floor(a / b));

/** The topology QEMU computes, with the warnings it prints; throws the release's refusal. */
export function computeTopology(
  config: SmpConfig,
  rules: SmpMachineRules,
  r: Release,
): { readonly topology: CpuTopology; readonly warnings: readonly Warning[] } {
  const computed = compareReleases(r, { major: 6, minor: 2 }) >= 0 ? modernParse(config, rules, r) : legacyParse(config, rules, r);
  // The machine's limits: vl.c checked them after smp_parse until machine_parse_smp_config took them in 6.2.
  if (computed.topology.maxCpus > rules.maxCpus) {
    throw machineErrors.error('smp.max-cpus', { cpus: computed.topology.maxCpus, machine: rules.name, max: rules.maxCpus });
  }
  return computed;
}

const ONE_CPU: CpuTopology = { cpus: 1, maxCpus: 1, drawers: 1, books: 1, sockets: 1, dies: 1, clusters: 1, modules: 1, cores: 1, threads: 1 };

/** smp_parse / pc_smp_parse (5.1 to 6.1): without -smp the machine keeps one CPU. */
function legacyParse(config: SmpConfig, rules: SmpMachineRules, r: Release): { topology: CpuTopology; warnings: readonly Warning[] } {
  if (Object.keys(config).length === 0) return { topology: ONE_CPU, warnings: [] };
  const pc = rules.legacyParser === 'pc';
  // 6.1's generic smp_parse refuses dies it cannot honour; before, it never read them.
  if (!pc && inWindow(r, { since: '6.1' }) && config.dies !== undefined && config.dies > 1) {
    throw machineErrors.error('smp.level-unsupported', { level: 'dies', form: 'plain' });
  }
  const dies = pc ? (config.dies ?? 1) : 1;
  let cpus = config.cpus ?? 0;
  let sockets = config.sockets ?? 0;
  let cores = config.cores ?? 0;
  let threads = config.threads ?? 0;
  const levels = (): Array<[string, number]> => [
    ['sockets', sockets],
    ...(pc ? [['dies', dies] as [string, number]] : []),
    ['cores', cores],
    ['threads', threads],
  ];
  if (cpus === 0 || sockets === 0) {
    cores = cores > 0 ? cores : 1;
    threads = threads > 0 ? threads : 1;
    if (cpus === 0) {
      sockets = sockets > 0 ? sockets : 1;
      cpus = mul(cores, threads, dies, sockets);
    } else {
      sockets = div(config.maxcpus ?? cpus, mul(cores, threads, dies));
    }
  } else if (cores === 0) {
    threads = threads > 0 ? threads : 1;
    cores = div(cpus, mul(sockets, dies, threads));
    cores = cores > 0 ? cores : 1;
  } else if (threads === 0) {
    threads = div(cpus, mul(cores, dies, sockets));
    threads = threads > 0 ? threads : 1;
  } else if (mul(sockets, dies, cores, threads) < cpus) {
    throw machineErrors.error('smp.legacy-below-cpus', { levels: levels(), cpus });
  }
  const maxCpus = config.maxcpus ?? cpus;
  if (maxCpus < cpus) throw machineErrors.error('smp.legacy-maxcpus-below-cpus');
  if (mul(sockets, dies, cores, threads) !== maxCpus) throw machineErrors.error('smp.legacy-mismatch', { levels: levels(), maxCpus, pc });
  return { topology: { ...ONE_CPU, cpus, maxCpus, sockets, dies, cores, threads }, warnings: [] };
}

/**
 * The order in which machine_parse_smp_config checks the levels a machine may lack, and how it
 * words the refusal: `X not supported` for a value above 1 until 9.0, which also deprecated
 * giving such a level as 1; 9.1 accepts 1 again and says `X > 1 not supported`.
 */
function unsupportedChecks(r: Release): { readonly order: readonly TopologyLevel[]; readonly form: 'plain' | 'gt1'; readonly warnOne: boolean } {
  if (inWindow(r, { since: '9.1' })) return { order: ['modules', 'clusters', 'dies', 'books', 'drawers'], form: 'gt1', warnOne: false };
  if (inWindow(r, { since: '9.0' })) return { order: ['clusters', 'dies', 'books', 'drawers'], form: 'plain', warnOne: true };
  return { order: ['dies', 'clusters', 'books', 'drawers'], form: 'plain', warnOne: false };
}

/** machine_parse_smp_config (6.2+). */
function modernParse(config: SmpConfig, rules: SmpMachineRules, r: Release): { topology: CpuTopology; warnings: readonly Warning[] } {
  const warnings: Warning[] = [];
  if (Object.values(config).some((v) => v === 0)) {
    // 6.2 deprecated zero values; 9.0 refuses them.
    if (inWindow(r, { since: '9.0' })) throw machineErrors.error('smp.zero');
    warnings.push(machineErrors.warning('smp.zero-deprecated'));
  }
  const checks = unsupportedChecks(r);
  for (const level of checks.order) {
    const given = config[level];
    if (rules.supported.has(level) || given === undefined) continue;
    if (given > 1) throw machineErrors.error('smp.level-unsupported', { level, form: checks.form });
    if (checks.warnOne && given === 1) warnings.push(machineErrors.warning('smp.level-one-deprecated', { level }));
  }
  const fixed = Object.fromEntries(OPTIONAL_LEVELS.map((level) => [level, config[level] || 1])) as Record<
    'drawers' | 'books' | 'dies' | 'clusters' | 'modules',
    number
  >;
  const above = mul(fixed.drawers, fixed.books);
  const between = mul(fixed.dies, fixed.clusters, fixed.modules);
  let cpus = config.cpus ?? 0;
  let maxCpus = config.maxcpus ?? 0;
  let sockets = config.sockets ?? 0;
  let cores = config.cores ?? 0;
  let threads = config.threads ?? 0;
  if (cpus === 0 && maxCpus === 0) {
    sockets = sockets > 0 ? sockets : 1;
    cores = cores > 0 ? cores : 1;
    threads = threads > 0 ? threads : 1;
  } else {
    maxCpus = maxCpus > 0 ? maxCpus : cpus;
    if (rules.preferSockets && sockets === 0) {
      cores = cores > 0 ? cores : 1;
      threads = threads > 0 ? threads : 1;
      sockets = div(maxCpus, mul(above, between, cores, threads));
    } else if (rules.preferSockets && cores === 0) {
      threads = threads > 0 ? threads : 1;
      cores = div(maxCpus, mul(above, sockets, between, threads));
    } else if (!rules.preferSockets && cores === 0) {
      sockets = sockets > 0 ? sockets : 1;
      threads = threads > 0 ? threads : 1;
      cores = div(maxCpus, mul(above, sockets, between, threads));
    } else if (!rules.preferSockets && sockets === 0) {
      threads = threads > 0 ? threads : 1;
      sockets = div(maxCpus, mul(above, between, cores, threads));
    }
    if (threads === 0) threads = div(maxCpus, mul(above, sockets, between, cores));
  }
  const total = mul(above, sockets, between, cores, threads);
  maxCpus = maxCpus > 0 ? maxCpus : total;
  cpus = cpus > 0 ? cpus : maxCpus;
  const topology: CpuTopology = { cpus, maxCpus, ...fixed, sockets, cores, threads };
  const hierarchy = TOPOLOGY_LEVELS.filter((l) => !OPTIONAL_LEVELS.includes(l) || rules.supported.has(l)).map((l): [string, number] => [l, topology[l]]);
  if (total !== maxCpus) throw machineErrors.error('smp.product-mismatch', { hierarchy, maxCpus });
  if (maxCpus < cpus) throw machineErrors.error('smp.maxcpus-below-cpus', { hierarchy, maxCpus, cpus });
  return { topology, warnings };
}

/** One entry of the machine's possible CPUs: its index (cpu-index once created) and props. */
export interface PossibleCpu {
  readonly index: number;
  /** CpuInstanceProperties as QEMU fills them, in QAPI order. */
  readonly props: Readonly<Record<string, number>>;
}

/**
 * possible_cpu_arch_ids: on x86 the ids x86_topo_ids_from_idx derives from the index (die-id and
 * module-id only when there is more than one); on s390x the core-id is the index, and from 8.2
 * the socket, book and drawer it falls in. NUMA nodes are assigned later (numa-cpus.ts).
 */
export function possibleCpus(topology: CpuTopology, arch: Arch, r: Release): readonly PossibleCpu[] {
  const t = topology;
  return Array.from({ length: t.maxCpus }, (_, i): PossibleCpu => {
    if (arch === 's390x') {
      const placed = inWindow(r, { since: '8.2' });
      const socket = div(i, t.cores) % t.sockets;
      return {
        index: i,
        props: placed
          ? {
              'drawer-id': div(i, mul(t.cores, t.sockets, t.books)) % t.drawers,
              'book-id': div(i, mul(t.cores, t.sockets)) % t.books,
              'socket-id': socket,
              'core-id': i,
            }
          : { 'core-id': i },
      };
    }
    const socket = div(i, mul(t.dies, t.modules, t.cores, t.threads));
    return {
      index: i,
      props: {
        'socket-id': socket,
        ...(t.dies > 1 ? { 'die-id': div(i, mul(t.modules, t.cores, t.threads)) % t.dies } : {}),
        ...(t.modules > 1 ? { 'module-id': div(i, mul(t.cores, t.threads)) % t.modules } : {}),
        'core-id': div(i, t.threads) % t.cores,
        'thread-id': i % t.threads,
      },
    };
  });
}
