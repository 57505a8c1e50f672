import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { inputLeavesMachineAlone, serveStream } from '../../../src/frontends/qmp/server.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { SMALL_Q35, spec } from '../../cli/qemu-process-helpers.js';

describe('frontends/qmp/server: input held while a migration peer reads the recipe', () => {
  it('queues commands until the hold is released, then answers them in order', async () => {
    const machine = QemuProcess.replay({ spec: spec(SMALL_Q35), history: [] }).machine;
    let release: () => void = () => undefined;
    let held: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    const ctx = {
      machine,
      version: { major: 7, minor: 2, micro: 0 },
      settle: () => undefined,
      requestQuit: () => undefined,
      quitRequested: () => false,
      inputHeld: () => held,
    };
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: string[] = [];
    output.on('data', (c: Buffer) =>
      lines.push(
        ...c
          .toString()
          .split('\r\n')
          .filter((l) => l !== ''),
      ),
    );
    void serveStream(ctx, QMP_COMMANDS, input, output, false);
    input.write('{"execute": "qmp_capabilities"}\n{"execute": "query-status", "id": 1}\n');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1, 'only the greeting: the commands wait');
    held = undefined;
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      lines.slice(1).map((l) => JSON.parse(l) as unknown),
      [{ return: {} }, { return: { status: 'running', singlestep: false, running: true }, id: 1 }],
    );
    input.end();
  });
});

describe('frontends/qmp/server: a socket monitor serves one client at a time', () => {
  it('holds a second client until the first leaves, then greets it with a fresh session', async () => {
    const { serveUnixSocket } = await import('../../../src/frontends/qmp/server.js');
    const { connect } = await import('node:net');
    const { tempSocket } = await import('../../cli/qemu-process-helpers.js');
    const machine = QemuProcess.replay({ spec: spec(SMALL_Q35), history: [] }).machine;
    const ctx = { machine, version: { major: 7, minor: 2, micro: 0 }, settle: () => undefined, requestQuit: () => undefined, quitRequested: () => false };
    const path = tempSocket('qmp.sock');
    const served = serveUnixSocket(ctx, QMP_COMMANDS, path, false);
    const tick = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
    const heard = { a: '', b: '' };
    const a = connect(path).on('data', (c) => (heard.a += c.toString()));
    await tick();
    const b = connect(path).on('data', (c) => (heard.b += c.toString()));
    await tick();
    a.write('{"execute":"qmp_capabilities"}\n{"execute":"query-status","id":"a"}\n{"execute":"qom-get","arguments":{"path":"x');
    b.write('{"execute":"query-status","id":"b"}\n');
    await tick();
    assert.equal(heard.b, '', 'the second client hears nothing while the first is served');
    assert.match(heard.a, /"id": "a"/);
    a.end();
    await tick(100);
    const lines = heard.b.split('\r\n').filter((l) => l !== '');
    assert.match(lines[0]!, /^\{"QMP": /);
    assert.deepEqual(lines.slice(1), [
      `{"id": "b", "error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}`,
    ]);
    b.destroy();
    served.close();
  });
});

describe('frontends/qmp/server: whether a known input can change the machine', () => {
  const CASES: readonly (readonly [string, string, boolean])[] = [
    [
      'queries, qom-get and quit',
      '{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n{"execute":"qom-get","arguments":{}}\n{"execute":"quit"}\n',
      true,
    ],
    ['an x- query', '{"execute":"x-query-host-memory"}', true],
    ['no input', '', true],
    ['a line that is not JSON, or not an object', 'garbage\n[1]\n{"execute": 3}\n', true],
    ['qom-set', '{"execute":"qmp_capabilities"}\n{"execute":"qom-set","arguments":{}}\n', false],
    ['cont', '{"execute":"cont"}', false],
    ["an unknown command (the session decides; it may be a release's)", '{"execute":"nope"}', false],
    ['a command out of band', '{"exec-oob":"device_del"}', false],
    ['a command split over two lines', '{"execute":\n"stop"}\n', false],
    ['a command in single quotes', "{'execute': 'stop'}", false],
  ];
  for (const [what, input, alone] of CASES) {
    it(`${alone ? 'leaves it alone' : 'may change it'}: ${what}`, () => {
      assert.equal(inputLeavesMachineAlone(input), alone);
    });
  }
});
