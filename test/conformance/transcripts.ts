/**
 * Running one QMP script against Debian's QEMU and against hotmem of the same release, for
 * tests that compare the two transcripts reply by reply.
 */
import { qemuBinary } from '../../src/cli/binary.js';
import type { Arch } from '../../src/core/arch.js';
import { freshHost } from '../../src/host/host.js';
import { strict as assert } from 'node:assert';
import { isMissing, realQemus, requireReal, TEST_HOST_ARCH, type Oracles, type RealQemu } from './real-qemu.js';
import { isModelled, requireModelled } from './modelled-release.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { REAL_HOST_FILES } from '../../src/frontends/cmdline/host-files.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { QmpError, QmpSession, qmpText, runQemu, type StartupRun } from './qemu.js';

export type Step = readonly [command: string, args?: Record<string, unknown>];
export type Reply = { readonly return: unknown } | { readonly error: { readonly class: string; readonly desc: string } };
export interface Transcript {
  readonly replies: readonly Reply[];
  readonly stderr: string;
}

/** QEMU started with `-S`; a configuration it refuses is compared by what it printed. */
export async function realTranscript(binary: string, args: readonly string[], script: readonly Step[], exactIntegers = false): Promise<Transcript> {
  let session: QmpSession;
  try {
    session = await QmpSession.start(binary, args, { paused: true, exactIntegers });
  } catch {
    const failed = await runQemu(binary, ['-display', 'none', '-nodefaults', '-S', ...args]);
    return { replies: [], stderr: failed.stderr };
  }
  try {
    const replies: Reply[] = [];
    for (const [command, commandArgs] of script) {
      try {
        replies.push({ return: await session.execute(command, commandArgs) });
      } catch (e) {
        if (!(e instanceof QmpError)) throw e;
        replies.push({ error: { class: e.errorClass, desc: e.desc } });
      }
    }
    return { replies, stderr: session.stderr() };
  } finally {
    await session.quit();
  }
}

/**
 * The real x86_64 binary and hotmem of its release started with the same arguments: exit status
 * (`running` when the real one outlives `timeoutMs`), stdout and stderr must agree.
 */
export async function assertSameStartup(q: RealQemu, args: readonly string[], timeoutMs: number): Promise<void> {
  const real = await runQemu(q.binary, args, { timeoutMs });
  const out: string[] = [];
  const err: string[] = [];
  const outcome = runHotmem(qemuBinary(new Map([['qemu-version', q.release]])), args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  assert.deepEqual(
    { status: outcome.kind === 'exited' ? outcome.status : 'running', stdout: out.join(''), stderr: err.join('') },
    { status: real.timedOut ? 'running' : real.code, stdout: real.stdout, stderr: real.stderr },
  );
}

/** hotmem qemu's start-up with the arguments as given, as realStartup reports a real one's (0: it came up). */
export function hotmemStartup(release: string, args: readonly string[], arch: Arch = 'x86_64'): StartupRun {
  const err: string[] = [];
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  );
  const outcome = runHotmem(binary, args, { out: () => undefined, err: (t) => err.push(t) });
  return { status: outcome.kind === 'exited' ? outcome.status : 0, stderr: err.join('') };
}

export function hotmemTranscript(
  release: string,
  args: readonly string[],
  script: readonly Step[],
  arch: Arch = 'x86_64',
  /** Told of each event the session sends, in order. */
  onEvent?: (event: QmpMessage) => void,
): Transcript {
  const err: string[] = [];
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  );
  // The real binaries run on this host: an s390x target is a TCG guest on it, and the files
  // they open (-blockdev) are this host's.
  const host = freshHost({ arch: TEST_HOST_ARCH, files: REAL_HOST_FILES });
  // The real one's monitor is its first -qmp (QmpSession.start): this one is too, and is the session's.
  const outcome = runHotmem(
    binary,
    ['-display', 'none', '-nodefaults', '-S', '-qmp', 'stdio', ...args],
    { out: () => undefined, err: (t) => err.push(t) },
    host,
  );
  if (outcome.kind !== 'running') return { replies: [], stderr: err.join('') };
  const sent: QmpMessage[] = [];
  const [major, minor] = release.split('.').map(Number) as [number, number];
  const monitorId = outcome.invocation.qmp[0]?.monitorId;
  const session = new HotmemSession(
    {
      machine: outcome.machine,
      version: { major, minor, micro: 0 },
      // Events scheduled after a reply (DEVICE_DELETED) are sent only to a caller that asks for them.
      settle: onEvent ? () => outcome.machine.scheduler.runUntilIdle() : () => undefined,
      requestQuit: () => undefined,
      quitRequested: () => false,
      ...(monitorId === undefined ? {} : { monitorId }),
    },
    QMP_COMMANDS,
    (m) => sent.push(m),
  );
  session.handle('{"execute":"qmp_capabilities"}');
  const replies: Reply[] = [];
  for (const [command, commandArgs] of script) {
    sent.length = 0;
    session.handle(qmpText({ execute: command, ...(commandArgs ? { arguments: commandArgs } : {}) }));
    const reply = sent.find((m) => 'return' in m || 'error' in m)!;
    for (const m of sent) if ('event' in m) onEvent?.(m);
    replies.push('return' in reply ? { return: reply['return'] } : { error: reply['error'] as { class: string; desc: string } });
  }
  return { replies, stderr: err.join('') };
}

/**
 * Runs the tasks at most `limit` at a time and hands back one promise per task, in order, so a
 * suite can start every real QEMU it needs in a `before` hook and each test awaits its own.
 * Rejections are kept for the awaiting test (never unhandled).
 */
export function pooled<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T>[] {
  let next = 0;
  const settle: Array<{ resolve: (v: T) => void; reject: (e: unknown) => void }> = [];
  const results = tasks.map(
    () =>
      new Promise<T>((resolve, reject) => {
        settle.push({ resolve, reject });
      }),
  );
  for (const r of results) r.catch(() => undefined);
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      try {
        settle[i]!.resolve(await tasks[i]!());
      } catch (e) {
        settle[i]!.reject(e);
      }
    }
  };
  for (let w = 0; w < Math.min(limit, tasks.length); w++) void worker();
  return results;
}

/**
 * A table of cases run through every release's real QEMU (the oracles asked for) and hotmem of the same release,
 * `-S` with no defaults: a case without steps is a refused start-up compared by its stderr (QEMU
 * must refuse it), one with steps compares every reply as a value.
 */
export function describeTranscripts(
  title: string,
  cases: ReadonlyArray<readonly [name: string, args: readonly string[], script: readonly Step[]]>,
  /** Read QEMU's integers past 2^53 exact (hotmem's session hands them over as bigints). */
  exactIntegers = false,
  /** The oracles the family has been checked against (see realQemus). */
  oracles: Oracles = 'debian',
): void {
  describe(title, function () {
    this.timeout(120_000);
    const qemus = realQemus('x86_64', oracles);
    const runs = new Map<string, Promise<Transcript>>();
    const key = (release: string, name: string) => `${release} ${name}`;

    before(() => {
      const jobs = qemus.flatMap((q) =>
        isMissing(q) || !isModelled(q.release)
          ? []
          : cases.map(([name, args, script]) => ({ k: key(q.release, name), run: () => realTranscript(q.binary, args, script, exactIntegers) })),
      );
      pooled(
        2,
        jobs.map((j) => j.run),
      ).forEach((p, i) => runs.set(jobs[i]!.k, p));
    });

    for (const q of qemus) {
      describe(`QEMU ${q.release} (${q.suite})`, () => {
        for (const [name, args, script] of cases) {
          it(name, async function () {
            requireReal(this, q);
            requireModelled(this, q.release);
            const real = await runs.get(key(q.release, name))!;
            if (script.length === 0) assert.notEqual(real.stderr, '', 'QEMU refused it');
            // Replies compare as values: QEMU prints a dictionary's members in its hash order.
            assert.deepEqual(hotmemTranscript(q.release, args, script), real);
          });
        }
      });
    }
  });
}
