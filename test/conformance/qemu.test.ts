/**
 * The real-QEMU harness itself, against each Debian release's qemu-system-x86_64: process runs
 * (output, exit status, timeout) and the QMP session (greeting, capabilities negotiation, replies,
 * errors, events, quit). Tests skip, naming the missing root, where a release is not there.
 */
import { strict as assert } from 'node:assert';
import { QmpError, QmpSession, qemuVersion, runQemu, type QmpEvent } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';

/** The StatusInfo fields every release has (singlestep left it in 9.0). */
const pick = ({ status, running }: { status: string; running: boolean }) => ({ status, running });

describe('conformance/qemu harness', function () {
  this.timeout(30_000);

  describe('without QEMU', () => {
    it('reports a binary that cannot be started', async () => {
      await assert.rejects(runQemu('/nonexistent/qemu-system-x86_64', []), /ENOENT/);
      await assert.rejects(QmpSession.start('/nonexistent/qemu-system-x86_64', []), /ENOENT/);
    });
  });

  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      describe('runQemu', () => {
        it('captures stdout and a zero exit', async function () {
          requireReal(this, q);
          const binary = q.binary;
          const run = await runQemu(binary, ['--version']);
          assert.deepEqual([run.code, run.signal, run.timedOut, run.stderr], [0, null, false, '']);
          assert.match(run.stdout, /^QEMU emulator version \d+\.\d+\.\d+/);
        });

        it('captures stderr and a failing exit', async function () {
          requireReal(this, q);
          const binary = q.binary;
          const run = await runQemu(binary, ['-machine', 'no-such-machine', '-display', 'none']);
          assert.equal(run.code, 1);
          assert.equal(run.stdout, '');
          assert.match(run.stderr, /unsupported machine type/);
        });

        it('kills a run that outlives its timeout', async function () {
          requireReal(this, q);
          const binary = q.binary;
          // Stopped CPUs and no monitor: QEMU waits forever.
          const run = await runQemu(binary, ['-machine', 'none', '-S', '-display', 'none', '-nodefaults'], { timeoutMs: 300 });
          assert.deepEqual([run.timedOut, run.code, run.signal], [true, null, 'SIGKILL']);
        });

        it('parses --version', async function () {
          requireReal(this, q);
          const binary = q.binary;
          const version = await qemuVersion(binary);
          assert.equal(`${version.major}.${version.minor}`, q.release);
          const run = await runQemu(binary, ['--version']);
          assert.ok(run.stdout.startsWith(`QEMU emulator version ${version.major}.${version.minor}.${version.micro}`));
        });
      });

      describe('QmpSession', () => {
        it('greets with the binary version, answers commands and errors, reports events, quits', async function () {
          requireReal(this, q);
          const binary = q.binary;
          const version = await qemuVersion(binary);
          const session = await QmpSession.start(binary, ['-machine', 'none']);
          try {
            assert.deepEqual(session.greeting.version.qemu, { major: version.major, minor: version.minor, micro: version.micro });
            const status = (): Promise<{ status: string; running: boolean }> => session.execute('query-status');
            assert.deepEqual(pick(await status()), { status: 'prelaunch', running: false });

            const error = await session.execute('no-such-command').then(
              () => assert.fail('an unknown command succeeded'),
              (e: unknown) => e,
            );
            assert.ok(error instanceof QmpError);
            assert.deepEqual([error.errorClass, error.desc], ['CommandNotFound', 'The command no-such-command has not been found']);

            await session.execute('cont');
            const resume: QmpEvent = await session.nextEvent('RESUME');
            assert.equal(resume.event, 'RESUME');
            assert.deepEqual(pick(await status()), { status: 'running', running: true });
            await assert.rejects(
              session.nextEvent('RESUME', () => true, 200),
              /no RESUME event within 200 ms/,
            );
          } finally {
            const exit = await session.quit();
            assert.deepEqual(exit, { code: 0, signal: null });
          }
          assert.deepEqual(
            session.events().map((e) => e.event),
            ['RESUME', 'SHUTDOWN'],
          );
        });

        it('fails to start with what QEMU printed', async function () {
          requireReal(this, q);
          const binary = q.binary;
          await assert.rejects(
            QmpSession.start(binary, ['-machine', 'no-such-machine']),
            /exited before connecting its QMP monitor \(exit code 1\): .*unsupported machine type/s,
          );
        });
      });
    });
  }
});
