import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveStream } from '../../../src/frontends/qmp/server.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { SMALL_Q35, spec } from '../../cli/qemu-process-helpers.js';

describe('frontends/qmp/server: input held while a migration peer reads the recipe', () => {
  it('queues commands until the hold is released, then answers them in order', async () => {
    const machine = QemuProcess.replay({ spec: spec(SMALL_Q35), history: [] }).machine;
    let release: () => void = () => undefined;
    let held: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    const ctx = { machine, version: { major: 7, minor: 2, micro: 0 }, settle: () => undefined, requestQuit: () => undefined, quitRequested: () => false, inputHeld: () => held };
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: string[] = [];
    output.on('data', (c: Buffer) => lines.push(...c.toString().split('\r\n').filter((l) => l !== '')));
    void serveStream(ctx, QMP_COMMANDS, input, output, false);
    input.write('{"execute": "qmp_capabilities"}\n{"execute": "query-status", "id": 1}\n');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1, 'only the greeting: the commands wait');
    held = undefined;
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l) as unknown), [{ return: {} }, { return: { status: 'running', singlestep: false, running: true }, id: 1 }]);
    input.end();
  });
});
