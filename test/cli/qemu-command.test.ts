/**
 * `hotmem qemu`'s own options and the start-up of an incoming process, through the CLI as a user
 * runs it (without -qmp the machine starts and the command returns).
 */
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/app.js';
import { tempSocket } from './qemu-process-helpers.js';

async function qemu(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(['qemu', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join(''), err: err.join('') };
}

const MACHINE = ['-machine', 'q35', '-m', '1G', '-nodefaults', '-display', 'none'];

describe('cli: hotmem qemu', function () {
  this.timeout(20_000);

  const CASES: ReadonlyArray<readonly [string, string[], number, RegExp]> = [
    ['starts and exits 0 without a monitor', ['--qemu-version', '7.2', ...MACHINE], 0, /^$/],
    ['a host kernel it models', ['--host-kernel', 'linux-5.10', ...MACHINE], 0, /^$/],
    ['a host kernel it does not model', ['--host-kernel', 'linux-2.6', ...MACHINE], 2, /--host-kernel: /],
    ['a link bandwidth that is not a rate', ['--link-bandwidth', 'fast', ...MACHINE], 2, /--link-bandwidth must be a positive number/],
    [
      '--guest with -incoming: the incoming guest comes from the source',
      ['--guest', 'linux-6.1', ...MACHINE, '-incoming', 'defer'],
      1,
      /--guest cannot be combined with -incoming/,
    ],
    [
      'an incoming socket in a directory that does not exist',
      [...MACHINE, '-incoming', 'unix:/nonexistent-dir/m.sock'],
      1,
      /^qemu-system-x86_64: -incoming unix:\/nonexistent-dir\/m\.sock: Failed to bind socket to \/nonexistent-dir\/m\.sock: No such file or directory\n$/,
    ],
  ];
  for (const [what, args, status, err] of CASES) {
    it(what, async () => {
      const result = await qemu(args);
      assert.equal(result.status, status, result.err);
      assert.match(result.err, err);
    });
  }

  it('an incoming process listens until it is signalled, then exits 0 as QEMU does', async () => {
    const sock = tempSocket();
    const running = qemu([...MACHINE, '-incoming', `unix:${sock}`]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.emit('SIGTERM', 'SIGTERM');
    const result = await running;
    assert.deepEqual([result.status, result.err], [0, 'qemu-system-x86_64: terminating on signal 15\n']);
  });
});
