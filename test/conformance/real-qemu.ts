/**
 * The real QEMU binaries the conformance tests compare hotmem with: one root per distribution
 * suite, built and mounted by test/conformance/roots.sh, each giving that suite's QEMU release (and,
 * for the Debian ones, its Linux kernel for booted guests). A test asks for the releases it
 * compares and skips, naming the missing root, where one is not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../src/core/arch.js';

/**
 * The architecture of the machine the tests (and the real binaries) run on: a qemu-system-s390x
 * here runs under TCG on this host, so hotmem models it with this host architecture.
 */
export const TEST_HOST_ARCH: Arch = process.arch === 's390x' ? 's390x' : 'x86_64';

/**
 * The suites and what they ship (QEMU release, guest kernel series), oldest QEMU first. Debian
 * ships no 11.0: Ubuntu 27.04 (tenacious) does, and its root serves QEMU only, no guest kernel.
 * Ubuntu's build is not Debian's (its own machine types, its configure switches): the families
 * that compare with it say so where its answers differ from hotmem's 11.0, which models Debian's
 * build switches as for every release.
 */
export const SUITES = [
  { suite: 'bullseye', distro: 'debian', release: '5.2', linux: '5.10' },
  { suite: 'bookworm', distro: 'debian', release: '7.2', linux: '6.1' },
  { suite: 'trixie', distro: 'debian', release: '10.0', linux: '6.12' },
  { suite: 'tenacious', distro: 'ubuntu', release: '11.0', linux: undefined },
  { suite: 'sid', distro: 'debian', release: '11.1', linux: '7.2' },
] as const;

export type Suite = (typeof SUITES)[number]['suite'];

/** The suites whose roots hold a guest kernel, for the booted-guest tests. */
export const GUEST_SUITES = SUITES.filter((s): s is Extract<(typeof SUITES)[number], { linux: string }> => s.linux !== undefined);
export type GuestSuite = (typeof GUEST_SUITES)[number]['suite'];

/**
 * The oracles a conformance family compares with: the Debian four, or all of them (Ubuntu's 11.0
 * too) for a family that has been run against every one and agrees.
 */
export type Oracles = 'debian' | 'all';

/** A real QEMU of one release, runnable as a plain executable (a chroot wrapper). */
export interface RealQemu {
  readonly suite: Suite;
  /** QEMU's major.minor, as hotmem's --qemu-version takes it. */
  readonly release: string;
  readonly arch: Arch;
  /** The executable to spawn; it execs the root's qemu-system-<arch>, so its pid is QEMU's. */
  readonly binary: string;
  /** The root directory (for the suite's kernel, modules and busybox). */
  readonly root: string;
  /** `qemu-system-x86_64 --version`'s first line, as recorded when the root was built. */
  readonly versionLine: string;
}

/** Why a release's binary is not available, phrased to follow "skipped: ". */
export interface MissingQemu {
  readonly suite: Suite;
  readonly release: string;
  readonly arch: Arch;
  readonly missing: string;
}

export function rootsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['HOTMEM_ROOTS'] ?? '/var/cache/hotmem/roots';
}

/** The real QEMU of `suite` for `arch`, or why there is none. */
export function realQemu(suite: Suite, arch: Arch, env: NodeJS.ProcessEnv = process.env): RealQemu | MissingQemu {
  const entry = SUITES.find((s) => s.suite === suite);
  if (!entry) throw new Error(`unknown suite ${suite}`);
  const name = suiteName(suite);
  const roots = rootsDir(env);
  const root = join(roots, suite);
  const binary = join(roots, 'bin', suite, `qemu-system-${arch}`);
  const ready = join(root, '.hotmem-root-ready');
  const base = { suite, release: entry.release, arch };
  if (!existsSync(ready)) {
    return { ...base, missing: `${name} root (QEMU ${entry.release}) is not built in ${roots}: run test/conformance/roots.sh ${suite} as root` };
  }
  if (!existsSync(binary)) {
    return { ...base, missing: `${name} root has no qemu-system-${arch} (its wrapper ${binary} is missing): run test/conformance/roots.sh ${suite}` };
  }
  if (process.getuid?.() !== 0) {
    return { ...base, missing: `running the ${name} root's QEMU needs chroot, which needs root` };
  }
  return { ...base, binary, root, versionLine: readFileSync(ready, 'utf8').trim() };
}

/**
 * Ubuntu's packages add machine types of their own (pc-q35-noble, s390-ccw-virtio-stonking, ...:
 * a codename where upstream has a version). hotmem models upstream's machine types with Debian's
 * build switches, so these QOM types are left out of what is generated from and compared with
 * Ubuntu's binaries.
 */
export const UBUNTU_MACHINE_TYPE = /^(?:pc-i440fx|pc-q35|s390-ccw-virtio)-[a-z][a-z0-9-]*-machine$/;

/** An Ubuntu machine type's name (its QOM type less `-machine`), or one of Ubuntu's aliases. */
export const isUbuntuMachine = (name: string): boolean => name === 'ubuntu' || name === 'ubuntu-q35' || UBUNTU_MACHINE_TYPE.test(`${name}-machine`);

export const isUbuntu = (q: RealQemu | MissingQemu): boolean => SUITES.find((s) => s.suite === q.suite)?.distro === 'ubuntu';

/**
 * QEMU arguments meaning on `q` what they mean upstream: Ubuntu points the s390-ccw-virtio alias
 * at its own machine type, so for it the alias is spelt as upstream resolves it (the release's
 * own version), which a message naming the machine then names as upstream's binary would.
 */
export function upstreamArgs(q: RealQemu, args: readonly string[]): readonly string[] {
  if (!isUbuntu(q)) return args;
  return args.map((a, i) => (args[i - 1] === '-machine' ? a.replace(/^s390-ccw-virtio(?=,|$)/, `s390-ccw-virtio-${q.release}`) : a));
}

/** "Debian sid", "Ubuntu tenacious": the distribution and suite a root is of. */
export function suiteName(suite: Suite): string {
  const entry = SUITES.find((s) => s.suite === suite);
  if (!entry) throw new Error(`unknown suite ${suite}`);
  return `${entry.distro === 'ubuntu' ? 'Ubuntu' : 'Debian'} ${suite}`;
}

/** The oracles' real QEMUs for `arch`, present or missing, oldest release first. */
export function realQemus(arch: Arch, oracles: Oracles = 'debian', env: NodeJS.ProcessEnv = process.env): readonly (RealQemu | MissingQemu)[] {
  return SUITES.filter((s) => oracles === 'all' || s.distro === 'debian').map((s) => realQemu(s.suite, arch, env));
}

export const isMissing = (q: RealQemu | MissingQemu): q is MissingQemu => 'missing' in q;

/**
 * For mocha: skips the running test with a line naming what is missing. Every test that needs a
 * real binary goes through here, so a missing root never passes silently.
 */
export function requireReal(ctx: Mocha.Context, q: RealQemu | MissingQemu): asserts q is RealQemu {
  if (isMissing(q)) {
    console.log(`      skipped: ${q.missing}`);
    ctx.skip();
  }
}

/**
 * Commands a Debian build answers by crashing, by suite: conformance tests never send them
 * there (reproducing an abort shows nothing) and say so when they skip.
 */
export const CRASHING_COMMANDS: ReadonlyArray<{ readonly suite: Suite; readonly command: string; readonly reason: string }> = [
  {
    suite: 'sid',
    command: 'x-query-virtio-status',
    reason:
      "QEMU 11.1.3 (Debian sid) aborts on x-query-virtio-status (qapi/qapi-visit-core.c:52: visit_start_struct: Assertion `!(v->type & VISITOR_OUTPUT) || *obj' failed), for virtio-mem and the balloon alike: a QEMU bug, not run",
  },
];

/** Why `command` is not sent to this binary, or undefined when it may be. */
export const crashes = (q: RealQemu | MissingQemu, command: string): string | undefined =>
  CRASHING_COMMANDS.find((c) => c.suite === q.suite && c.command === command)?.reason;
