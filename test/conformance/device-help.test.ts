/**
 * `-device help` and `-device TYPE,help` for every device type of each release, against the real
 * QEMU of every Debian suite: stdout, stderr and exit status byte for byte, for x86_64 and s390x.
 * The types asked are the ones the binary itself reports (qom-list-types, run here), so a type
 * missing from hotmem's data fails. Skips, saying so, where a root is missing.
 */
import { strict as assert } from 'node:assert';
import { qemuBinary } from '../../src/cli/binary.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QmpSession, runQemu } from './qemu.js';
import { realQemus, requireReal, type MissingQemu, type RealQemu } from './real-qemu.js';

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

function hotmem(q: RealQemu, args: readonly string[]): Outcome {
  let stdout = '';
  let stderr = '';
  const outcome = runHotmem(
    qemuBinary(
      new Map([
        ['qemu-version', q.release],
        ['arch', q.arch],
      ]),
    ),
    args,
    {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
    },
  );
  if (outcome.kind !== 'exited') return assert.fail(`hotmem ${args.join(' ')} did not exit`);
  return { stdout, stderr, status: outcome.status };
}

async function real(q: RealQemu, args: readonly string[]): Promise<Outcome> {
  const run = await runQemu(q.binary, args);
  return { stdout: run.stdout, stderr: run.stderr, status: run.code };
}

/**
 * What to ask `-device TYPE,help` of: every device type the binary reports, the abstract ones
 * too, and some names that are not devices or not types (an alias, a backend, a typo). The
 * other QOM types are all refused alike (unit tests hold the wording by release).
 */
async function typesOf(q: RealQemu): Promise<readonly string[]> {
  const session = await QmpSession.start(q.binary, ['-machine', 'none']);
  try {
    const types = await session.execute<{ name: string }[]>('qom-list-types', { implements: 'device', abstract: true });
    return [...types.map((t) => t.name), 'no-such-device', 'virtio-balloon', 'memory-backend-ram', 'chardev-vc'];
  } finally {
    await session.quit();
  }
}

/**
 * Devices whose `-device TYPE,help` looks up the machine, which does not exist yet: QEMU aborts
 * (an assertion, or a failed QOM cast whose message holds a pointer) or, for 7.2's acpi-ged-x86,
 * sometimes lists other children; six runs gave six different outputs. No single answer exists,
 * so they are not compared; hotmem prints the table the binary reported over QMP.
 */
const MACHINE_DEPENDENT = new Set(['acpi-ged', 'acpi-ged-x86', 'sclp', 's390-skeys-qemu']);

describe('conformance: -device help by release', function () {
  this.timeout(600_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch, 'all')) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        const need = (context: Mocha.Context, q: RealQemu | MissingQemu): RealQemu => {
          requireReal(context, q);
          return q;
        };

        it('-device help lists every device as QEMU does', async function () {
          const binary = need(this, q);
          assert.deepEqual(hotmem(binary, ['-device', 'help']), await real(binary, ['-device', 'help']));
        });

        it('-device TYPE,help answers as QEMU for every QOM type', async function () {
          const binary = need(this, q);
          const differing: string[] = [];
          for (const type of (await typesOf(binary)).filter((t) => !MACHINE_DEPENDENT.has(t))) {
            const args = ['-device', `${type},help`];
            const [got, want] = [hotmem(binary, args), await real(binary, args)];
            try {
              assert.deepEqual(got, want);
            } catch {
              differing.push(`${type}:\n${diffLines(got, want)}`);
            }
          }
          assert.deepEqual(differing, []);
        });
      });
    }
  }
});

/** The lines only one side printed, for a readable failure. */
function diffLines(got: Outcome, want: Outcome): string {
  const lines = (o: Outcome) => [...o.stdout.split('\n'), ...o.stderr.split('\n').map((l) => `stderr: ${l}`), `status ${String(o.status)}`];
  const [g, w] = [lines(got), lines(want)];
  return [...g.filter((l) => !w.includes(l)).map((l) => `  hotmem: ${l}`), ...w.filter((l) => !g.includes(l)).map((l) => `  QEMU:   ${l}`)].join('\n');
}
