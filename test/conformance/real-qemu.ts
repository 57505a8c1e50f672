/**
 * The real QEMU binaries the conformance tests compare hotmem with: one Debian root per suite,
 * built and mounted by test/conformance/roots.sh, each giving that suite's QEMU release (and its
 * Linux kernel for booted guests). A test asks for the releases it compares and skips, naming the
 * missing root, where one is not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../src/core/arch.js';

/**
 * The architecture of the machine the tests (and the real binaries) run on: a qemu-system-s390x
 * here runs under TCG on this host, so hotmem models it with this host architecture.
 */
export const TEST_HOST_ARCH: Arch = process.arch === 's390x' ? 's390x' : 'x86_64';

/** The Debian suites and what they ship (QEMU release, guest kernel series). */
export const DEBIAN_SUITES = [
  { suite: 'bullseye', release: '5.2', linux: '5.10' },
  { suite: 'bookworm', release: '7.2', linux: '6.1' },
  { suite: 'trixie', release: '10.0', linux: '6.12' },
  { suite: 'sid', release: '11.1', linux: '7.2' },
] as const;

export type DebianSuite = (typeof DEBIAN_SUITES)[number]['suite'];

/** A real QEMU of one release, runnable as a plain executable (a chroot wrapper). */
export interface RealQemu {
  readonly suite: DebianSuite;
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
  readonly suite: DebianSuite;
  readonly release: string;
  readonly arch: Arch;
  readonly missing: string;
}

export function rootsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['HOTMEM_ROOTS'] ?? '/var/cache/hotmem/roots';
}

/** The real QEMU of `suite` for `arch`, or why there is none. */
export function realQemu(suite: DebianSuite, arch: Arch, env: NodeJS.ProcessEnv = process.env): RealQemu | MissingQemu {
  const entry = DEBIAN_SUITES.find((s) => s.suite === suite);
  if (!entry) throw new Error(`unknown Debian suite ${suite}`);
  const roots = rootsDir(env);
  const root = join(roots, suite);
  const binary = join(roots, 'bin', suite, `qemu-system-${arch}`);
  const ready = join(root, '.hotmem-root-ready');
  const base = { suite, release: entry.release, arch };
  if (!existsSync(ready)) {
    return { ...base, missing: `Debian ${suite} root (QEMU ${entry.release}) is not built in ${roots}: run test/conformance/roots.sh ${suite} as root` };
  }
  if (!existsSync(binary)) {
    return { ...base, missing: `Debian ${suite} root has no qemu-system-${arch} (its wrapper ${binary} is missing): run test/conformance/roots.sh ${suite}` };
  }
  if (process.getuid?.() !== 0) {
    return { ...base, missing: `running the Debian ${suite} root's QEMU needs chroot, which needs root` };
  }
  return { ...base, binary, root, versionLine: readFileSync(ready, 'utf8').trim() };
}

/** Every suite's real QEMU for `arch`, present or missing, oldest release first. */
export function realQemus(arch: Arch, env: NodeJS.ProcessEnv = process.env): readonly (RealQemu | MissingQemu)[] {
  return DEBIAN_SUITES.map((s) => realQemu(s.suite, arch, env));
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
export const CRASHING_COMMANDS: ReadonlyArray<{ readonly suite: DebianSuite; readonly command: string; readonly reason: string }> = [
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
