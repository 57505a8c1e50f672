/**
 * The process's standard streams when their reader goes away: QEMU ignores SIGPIPE and carries
 * on, so `hotmem qemu ... | head` ends as QEMU does (status 0 after the client's quit), with no
 * stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

describe('cli/process-io: a reader that closes early', function () {
  this.timeout(30_000);

  it('drops what the QMP server writes after stdout closed and quits with status 0', async () => {
    const child = spawn(process.execPath, [MAIN, 'qemu', '-S', '-nodefaults', '-display', 'none', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Close the reading end once the greeting arrived, as `head -c 10` does.
    child.stdout.once('data', () => {
      child.stdout.destroy();
      child.stdin.end('{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n{"execute":"quit"}\n');
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    assert.equal(stderr, '');
    assert.equal(status, 0);
  });
});
