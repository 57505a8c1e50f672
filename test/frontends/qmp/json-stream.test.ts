import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveStream } from '../../../src/frontends/qmp/server.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { JsonMessageParser, type JsonMessage } from '../../../src/frontends/qmp/json-streamer.js';
import { toPlain } from '../../../src/frontends/qmp/qobject.js';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { SMALL_Q35, spec } from '../../cli/qemu-process-helpers.js';

/** Feeds bytes to a fresh parser; each message as its plain value or its error text. */
function messages(input: string | Uint8Array): unknown[] {
  const out: unknown[] = [];
  const parser = new JsonMessageParser((m: JsonMessage) => out.push(m.kind === 'error' ? { error: m.desc } : toPlain(m.value)));
  parser.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  return out;
}

/** Runs a `hotmem qemu` monitor over a stream, returning every line it wrote once `input` is read. */
async function converse(input: string | Buffer): Promise<string[]> {
  const process = QemuProcess.replay({ spec: spec(SMALL_Q35), history: [] });
  const inp = new PassThrough();
  const out = new PassThrough();
  const text: Buffer[] = [];
  out.on('data', (c: Buffer) => text.push(c));
  void serveStream(process.ctx, QMP_COMMANDS, inp, out, false);
  inp.write(input);
  await new Promise((resolve) => setImmediate(resolve));
  inp.end();
  return Buffer.concat(text).toString('latin1').split('\r\n').filter((l) => l !== '');
}

describe('frontends/qmp: the JSON stream as QEMU reads it', () => {
  it('a string cut short by its line end costs one error, and the monitor goes on (issue 18)', async () => {
    const lines = await converse(
      '{"execute":"qmp_capabilities"}\n{"execute":"qom-get","arguments":{"path":"vm}}}\n{"execute":"query-status","id":1}\n{"execute":"quit"}\n',
    );
    assert.deepEqual(lines.slice(1), [
      '{"return": {}}',
      '{"error": {"class": "GenericError", "desc": "JSON parse error, stray \'\\"vm}}}\\n\'"}}',
      '{"return": {"status": "running", "singlestep": false, "running": true}, "id": 1}',
      '{"timestamp": {"seconds": 0, "microseconds": 0}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}',
      '{"return": {}}',
    ]);
  });

  // What real QEMU 10.0 answered to each line (test/conformance/qmp-stream.test.ts replays them).
  const TABLE: ReadonlyArray<readonly [string, unknown[]]> = [
    ['{"a" 1}', [{ error: 'JSON parse error, missing : in object pair' }]],
    ['{"a":1,}', [{ error: 'JSON parse error, expecting value' }]],
    ['{1:2}', [{ error: 'JSON parse error, key is not a string in object' }]],
    ['"\\ud800"', [{ error: 'JSON parse error, \\ud800 is not a valid Unicode character' }]],
    ['"\\x"', [{ error: 'JSON parse error, invalid escape sequence in string' }]],
    ['"\xc3\x28"', [{ error: 'JSON parse error, invalid UTF-8 sequence in string' }]],
    ['tru ', [{ error: "JSON parse error, invalid keyword 'tru'" }]],
    ['{"a":1 "b":2}', [{ error: 'JSON parse error, expected separator in dict' }]],
    ['[1 2]', [{ error: 'JSON parse error, expected separator in list' }]],
    ['{"a":1,"a":2}', [{ error: 'JSON parse error, duplicate key' }]],
    ['01', [{ error: "JSON parse error, stray '01'" }]],
    ['-a', [{ error: "JSON parse error, stray '-a'" }]],
    ['1.\n', [{ error: "JSON parse error, stray '1.\n'" }]],
    ['[}\n]', [{ error: 'JSON parse error, expecting value' }, { error: 'JSON parse error, expecting value' }]],
    ['abc def {}', [{ error: "JSON parse error, invalid keyword 'abc'" }, { error: "JSON parse error, invalid keyword 'def'" }, {}]],
    // After an error the lexer skips to a structural or control character: ' ' and '\t' do not end the skip.
    ['% x\ty {}', [{ error: "JSON parse error, stray '%'" }, {}]],
    ['\x01{}', [{ error: "JSON parse error, stray '\x01'" }, {}]],
    ['\xff\xfe{}', [{ error: "JSON parse error, stray '\ufffd'" }, { error: "JSON parse error, stray '\ufffd'" }, {}]],
    ['"\\u0000" ', ['\u0000']],
    ["{'a':'\"'} ", [{ a: '"' }]],
  ];
  for (const [input, expected] of TABLE) {
    it(`reads ${JSON.stringify(input)}`, () => assert.deepEqual(messages(input), expected));
  }

  it('bounds nesting: past 1024 open brackets one error, and the brackets after it start a new message', () => {
    assert.deepEqual(messages('['.repeat(1025)), [{ error: 'JSON nesting depth limit exceeded' }]);
    assert.deepEqual(messages(`${'['.repeat(1030)}${']'.repeat(7)}`), [
      { error: 'JSON nesting depth limit exceeded' },
      [[[[[]]]]],
      { error: 'JSON parse error, expecting value' },
      { error: 'JSON parse error, expecting value' },
    ]);
  });

  it('bounds a message to 2 Mi tokens', () => {
    const out = messages(`[${'1,'.repeat(1024 * 1024)}`);
    assert.deepEqual(out, [{ error: 'JSON token count limit exceeded' }]);
  });
});
