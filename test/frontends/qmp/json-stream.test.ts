import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveStream } from '../../../src/frontends/qmp/server.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { JsonMessageParser, type JsonMessage } from '../../../src/frontends/qmp/json-streamer.js';
import { toPlain } from '../../../src/frontends/qmp/qobject.js';
import { jsonErrorStyle } from '../../../src/frontends/qmp/json-parser.js';
import { release } from '../../../src/core/release.js';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { SMALL_Q35, spec } from '../../cli/qemu-process-helpers.js';

/** Feeds bytes to a fresh parser (a release's wording); each message as its plain value or its error text. */
function messages(input: string | Uint8Array, r = '10.0'): unknown[] {
  const out: unknown[] = [];
  const parser = new JsonMessageParser(jsonErrorStyle(release(r)), (m: JsonMessage) => out.push(m.kind === 'error' ? { error: m.desc } : toPlain(m.value)));
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
  return Buffer.concat(text)
    .toString('latin1')
    .split('\r\n')
    .filter((l) => l !== '');
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

  // What real QEMU 11.1.3 answered: each error placed at line:column (bytes, 1-based, counted
  // from the connection), new wording for objects and lists.
  const TABLE_11_1: ReadonlyArray<readonly [string, unknown[]]> = [
    ['\n{"a" 1}', [{ error: "2:6: JSON parse error, expecting ':'" }]],
    ['{"a":1,}', [{ error: '1:8: JSON parse error, expecting key' }]],
    ['{1:2}', [{ error: '1:2: JSON parse error, expecting key' }]],
    ['{"a":}', [{ error: '1:6: JSON parse error, expecting value' }]],
    ['{"a":1 "b":2}', [{ error: "1:8: JSON parse error, expected ',' or '}'" }]],
    ['[1 2]', [{ error: "1:4: JSON parse error, expected ',' or ']'" }]],
    ['{"a":1,"a":2}', [{ error: '1:12: JSON parse error, duplicate key' }]],
    ['{"a":1,"a":[1,2]}', [{ error: '1:17: JSON parse error, duplicate key' }]],
    ['   "\\q"', [{ error: '1:4: JSON parse error, invalid escape sequence in string' }]],
    // A token read again from the byte that ended the one before counts one column further.
    ['ab%', [{ error: "1:1: JSON parse error, invalid keyword 'ab'" }, { error: "1:4: JSON parse error, stray '%'" }]],
    ['abc def ', [{ error: "1:1: JSON parse error, invalid keyword 'abc'" }, { error: "1:5: JSON parse error, invalid keyword 'def'" }]],
    ['\xff\xff', [{ error: "1:1: JSON parse error, stray '\ufffd'" }, { error: "1:3: JSON parse error, stray '\ufffd'" }]],
    ['  "\xc3\xa9" %', ['\u00e9', { error: "1:8: JSON parse error, stray '%'" }]],
    ['[' + '['.repeat(1024), [{ error: 'JSON nesting depth limit exceeded' }]],
    // The rest of a message past a limit is dropped up to where its brackets close ...
    [`${'['.repeat(1030)}${']'.repeat(1031)}`, [{ error: 'JSON nesting depth limit exceeded' }, { error: '1:2061: JSON parse error, expecting value' }]],
    // ... or a lexical error, which then costs no reply of its own.
    [`${'['.repeat(1030)}"abc\n{}`, [{ error: 'JSON nesting depth limit exceeded' }, {}]],
  ];
  for (const [input, expected] of TABLE_11_1) {
    it(`reads ${JSON.stringify(input)} as QEMU 11.1 does`, () => assert.deepEqual(messages(input, '11.1'), expected));
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

  it('bounds a token to 64 MiB: the rest of it is read afresh', () => {
    const out = messages(Buffer.from(`{"execute":"${'a'.repeat(64 * 1024 * 1024)}"}\n{}`));
    assert.deepEqual(out, [{ error: 'JSON token size limit exceeded' }, { error: `JSON parse error, stray '"}\n'` }, {}]);
  });

  it('bounds a message to 2 Mi tokens', () => {
    const out = messages(`[${'1,'.repeat(1024 * 1024)}`);
    assert.deepEqual(out, [{ error: 'JSON token count limit exceeded' }]);
  });
});

describe('frontends/qmp: members, ids and out-of-band requests as QEMU 7.2 checks them', () => {
  // Each input after negotiation, with what real QEMU 7.2 answered (its replies to these do not
  // depend on the machine).
  const TABLE: ReadonlyArray<readonly [string, string, string]> = [
    [
      '{"execute":"query-status","id":1,"foo":2,"bar":3}',
      '{"execute":"qmp_capabilities"}',
      `{"id": 1, "error": {"class": "GenericError", "desc": "QMP input member 'bar' is unexpected"}}`,
    ],
    [
      '{"execute":"query-status","arguments":[],"foo":2}',
      '{"execute":"qmp_capabilities"}',
      `{"error": {"class": "GenericError", "desc": "QMP input member 'arguments' must be an object"}}`,
    ],
    [
      '{"exec-oob":"query-status","id":2}',
      '{"execute":"qmp_capabilities"}',
      `{"id": 2, "error": {"class": "GenericError", "desc": "QMP input member 'exec-oob' is unexpected"}}`,
    ],
    [
      '{"exec-oob":"query-status","id":1}',
      '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}',
      `{"id": 1, "error": {"class": "GenericError", "desc": "The command query-status does not support OOB"}}`,
    ],
    [
      '{"exec-oob":"frob","id":3}',
      '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}',
      `{"id": 3, "error": {"class": "CommandNotFound", "desc": "The command frob has not been found"}}`,
    ],
    [
      '{"exec-oob":"query-status","execute":"query-status","id":4}',
      '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}',
      `{"id": 4, "error": {"class": "GenericError", "desc": "QMP input member 'execute' clashes with 'exec-oob'"}}`,
    ],
    [
      '{"exec-oob":1}',
      '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}',
      `{"error": {"class": "GenericError", "desc": "QMP input member 'exec-oob' must be a string"}}`,
    ],
    [
      '{"execute":1, "id":[1,2.5e3,-0,1e400, 18446744073709551616, -9223372036854775809, 9007199254740993]}',
      '{"execute":"qmp_capabilities"}',
      `{"id": [1, 2500, 0, inf, 1.8446744073709552e+19, -9.2233720368547758e+18, 9007199254740993], "error": {"class": "GenericError", "desc": "QMP input member 'execute' must be a string"}}`,
    ],
    [
      '{"execute":"query-status","id":{"x":"\\u00e9\\ud83d\\ude00\xc3\xa9\\u007f\\t\\/"}}',
      '{"execute":"qmp_capabilities"}',
      '{"return": {"status": "running", "singlestep": false, "running": true}, "id": {"x": "\\u00E9\\uD83D\\uDE00\\u00E9\\u007F\\t/"}}',
    ],
    [
      "{'execute':'query-status','id':'sq'}",
      '{"execute":"qmp_capabilities"}',
      '{"return": {"status": "running", "singlestep": false, "running": true}, "id": "sq"}',
    ],
  ];
  for (const [input, negotiation, reply] of TABLE) {
    it(`answers ${input} after ${negotiation}`, async () => {
      const lines = await converse(Buffer.from(`${negotiation}\n${input}\n`, 'latin1'));
      assert.deepEqual(lines.slice(2), [reply]);
    });
  }

  it('checks qmp_capabilities enable as a list of QMPCapability', async () => {
    const lines = await converse(
      '{"execute":"qmp_capabilities","arguments":{"enable":["frob"]}}\n{"execute":"qmp_capabilities","arguments":{"enable":"oob"}}\n{"execute":"qmp_capabilities","arguments":{"enable":[]},"id":1}\n',
    );
    assert.deepEqual(lines.slice(1), [
      `{"error": {"class": "GenericError", "desc": "Parameter 'null' does not accept value 'frob'"}}`,
      `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'enable', expected: array"}}`,
      '{"return": {}, "id": 1}',
    ]);
  });
});
