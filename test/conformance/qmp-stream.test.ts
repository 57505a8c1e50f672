/**
 * QMP's JSON stream rules against real QEMU: the same byte streams (malformed lines, lexical
 * errors and recovery, the nesting, token-count and token-size limits, member checks, ids) go to
 * a real QEMU's `-qmp stdio` monitor and to hotmem's monitor for the same release, and every reply
 * after the greeting must be byte-identical. (The 64 MiB token limit is tested against the source
 * only: QEMU's monitor reads one byte per main-loop turn, so it needs minutes for one such token.)
 * Skips, naming what is missing, where a release's
 * binary is absent or hotmem does not model that release.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { serveStream } from '../../src/frontends/qmp/server.js';
import { isMissing, realQemus, requireReal, type RealQemu } from './real-qemu.js';

/** The last line of every stream: its reply tells that everything before it has been answered. */
const END = '{"execute":"qmp_capabilities","id":"end"}\n';

const lines = (...l: string[]) => Buffer.from(`{"execute":"qmp_capabilities"}\n${l.join('\n')}\n${END}`, 'latin1');

export const STREAMS: ReadonlyArray<{ readonly name: string; readonly bytes: () => Buffer }> = [
  { name: 'the one-line stall of issue 18', bytes: () => lines('{"execute":"qom-get","arguments":{"path":"vm}}}', '{"execute":"qmp_capabilities","id":1}') },
  {
    name: 'parse errors, one line each',
    bytes: () =>
      lines(
        '{"a" 1}',
        '{"a":1,}',
        '{1:2}',
        '{"a":}',
        '"\\u0000"',
        '"\\ud800"',
        '"\\ud800\\u0041"',
        '"\\u12"',
        '"\\x"',
        '"\xc3\x28"',
        'tru',
        '{"a":1 "b":2}',
        '[1 2]',
        '{"a":1,"a":2}',
        '{"a":[}]',
      ),
  },
  {
    name: 'lexical errors and where the lexer resynchronises',
    bytes: () =>
      lines(
        '01',
        '-a',
        '1.',
        '1e+x',
        '  "\xc3\xa9" %',
        '% x\ty {}',
        '\x01{"execute":"qmp_capabilities","id":3}',
        'abc def {"execute":"qmp_capabilities","id":4}',
        '\xff\xfe{"execute":"qmp_capabilities","id":5}',
        '"a\x00b"',
        '\x00',
      ),
  },
  { name: 'unbalanced brackets', bytes: () => lines('[}', ']', '}', '{]', '[1]]', '{"execute":"qmp_capabilities"}}') },
  {
    name: 'a message split over lines',
    bytes: () => lines('{\n"execute"\n:\n"query-status",\n"id":\n6\n}', '{\n"execute"\n:\n"query-status",\n"id":\n6\n,\n}'),
  },
  {
    name: 'members, ids and numbers',
    bytes: () =>
      lines(
        '{"execute":"query-status","id":1,"foo":2,"bar":3}',
        '{"execute":"query-status","arguments":[],"foo":2}',
        '{"exec-oob":"query-status","id":2}',
        "{'execute':'query-status','id':'sq'}",
        '{"execute":1, "id":[1,2.5e3,-0,1e400,-1e400,0.1,1e-7,123456789012345678,18446744073709551615,18446744073709551616,-9223372036854775809,9007199254740993]}',
        '{"execute":"query-status","id":{"x":"\\u00e9\\ud83d\\ude00\xc3\xa9\\u007f\\t\\/","y":null,"z":[true,false]}}',
        '{"id":1}',
        '[]',
        '"x"',
        '12 ',
      ),
  },
  // 0xFF ends whatever is left open: 11.1 drops the rest of a message that outgrew a limit.
  { name: '200,000 nested arrays', bytes: () => lines(`${'['.repeat(200_000)}${']'.repeat(200_000 % 1025)}\xff`, '{"execute":"qmp_capabilities","id":8}') },
  {
    name: 'nesting past the limit, closed, then one bracket too many',
    bytes: () => lines(`${'['.repeat(1030)}${']'.repeat(1031)}`, `${'['.repeat(1030)}"abc`, '{"execute":"qmp_capabilities","id":11}'),
  },
  { name: 'a message of more than 2 Mi tokens', bytes: () => lines(`[${'1,'.repeat(1024 * 1024)}1]`, '{"execute":"qmp_capabilities","id":9}') },
];

/** Every line real QEMU wrote after its greeting, once it answered the END request. */
function realReplies(q: RealQemu, bytes: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(q.binary, ['-machine', 'none', '-display', 'none', '-nodefaults', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`QEMU ${q.release} did not answer the end of the stream in 60 s; it wrote:\n${out.slice(-2000)}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (out.includes('"id": "end"')) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(
          out
            .split('\r\n')
            .filter((l) => l !== '')
            .slice(1),
        );
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.write(bytes);
  });
}

async function hotmemReplies(release: string, bytes: Buffer): Promise<string[]> {
  const process = QemuProcess.replay({
    spec: {
      qemuVersion: release,
      arch: 'x86_64',
      hostArch: 'x86_64',
      hostKernel: 'linux-6.1',
      guest: undefined,
      argv: ['-nodefaults', '-display', 'none', '-m', '128M'],
    },
    history: [],
  });
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (c: Buffer) => (out += c.toString('latin1')));
  const served = serveStream(process.ctx, QMP_COMMANDS, input, output, false);
  input.end(bytes);
  await served;
  return out
    .split('\r\n')
    .filter((l) => l !== '')
    .slice(1);
}

/** Why hotmem cannot stand in for this release, or undefined when it models it. */
function unmodelled(release: string): string | undefined {
  try {
    qemuBinary(new Map([['qemu-version', release]]));
    return undefined;
  } catch (e) {
    return `hotmem does not model QEMU ${release} yet (${(e as Error).message})`;
  }
}

describe('conformance: the QMP JSON stream as real QEMU reads it', function () {
  this.timeout(180_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release}`, () => {
      for (const stream of STREAMS) {
        it(stream.name, async function () {
          requireReal(this, q);
          const why = unmodelled(q.release);
          if (why) {
            console.log(`      skipped: ${why}`);
            this.skip();
          }
          const bytes = stream.bytes();
          const [real, model] = await Promise.all([realReplies(q, bytes), hotmemReplies(q.release, bytes)]);
          assert.deepEqual(model, real);
        });
      }
    });
  }
  it('has a real QEMU to compare with', function () {
    const present = realQemus('x86_64').filter((q) => !isMissing(q));
    if (present.length === 0) {
      console.log('      skipped: no Debian root with qemu-system-x86_64 (test/conformance/roots.sh)');
      this.skip();
    }
  });
});
