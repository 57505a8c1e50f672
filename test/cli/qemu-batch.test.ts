/**
 * `hotmem qemu --batch`: every invocation's record is what a separate `hotmem qemu` process with
 * the same arguments and the same commands on stdin prints and exits with (start-up errors,
 * warnings, replies, events, quit); records come in input order; bad lines get an error naming
 * them and the batch goes on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { packageRoot } from '../../src/core/package-root.js';
import { runCli } from '../../src/cli/app.js';
import { batchMachines, parseInvocation, recordLine, runBatch, runInvocation, textLines, type BatchRecord, type Invocation } from '../../src/cli/qemu-batch.js';

const CAPS = { execute: 'qmp_capabilities' };
const QUIT = { execute: 'quit' };
const MEMFD = ['-nodefaults', '-display', 'none', '-S', '-m', '512M,slots=1,maxmem=2560M', '-object', 'memory-backend-memfd,id=mem0,size=2G'];

const INVOCATIONS: readonly (readonly [string, Invocation])[] = [
  [
    "qom-get and quit (the issue's configuration)",
    {
      args: ['--qemu-version', '10.0', '-machine', 'pc-q35-8.1,accel=kvm', ...MEMFD, '-device', 'virtio-mem-pci,id=vm0,memdev=mem0', '-qmp', 'stdio'],
      qmp: [CAPS, { execute: 'qom-get', arguments: { path: '/machine/peripheral/vm0', property: 'size' } }, QUIT],
    },
  ],
  [
    'a realize warning, then STOP/RESUME events',
    {
      args: [
        '--qemu-version',
        '8.1',
        '-machine',
        'pc-q35-8.1',
        ...MEMFD,
        '-device',
        'virtio-mem-pci,id=vm0,memdev=mem0,unplugged-inaccessible=off',
        '-qmp',
        'stdio',
      ],
      qmp: [CAPS, { execute: 'cont' }, { execute: 'stop' }, QUIT],
    },
  ],
  ['a start-up error', { args: ['--qemu-version', '7.2', '-nodefaults', '-device', 'virtio-mem-pci,id=vm0,memdev=nope', '-qmp', 'stdio'], qmp: [CAPS] }],
  [
    'a guest reacting to a size change (MEMORY_DEVICE_SIZE_CHANGE), then stdin ends without quit',
    {
      args: [
        '--qemu-version',
        '7.2',
        '--guest',
        'linux-6.1',
        '-machine',
        'pc-q35-7.2',
        ...MEMFD,
        '-device',
        'virtio-mem-pci,id=vm0,memdev=mem0',
        '-qmp',
        'stdio',
      ],
      qmp: [
        CAPS,
        { execute: 'cont' },
        { execute: 'qom-set', arguments: { path: '/machine/peripheral/vm0', property: 'requested-size', value: 256 * 2 ** 20 } },
        { execute: 'query-memory-devices' },
      ],
    },
  ],
  [
    'an unknown command and a line that is not JSON',
    { args: ['--qemu-version', '10.0', '-nodefaults', '-S', '-display', 'none', '-qmp', 'stdio'], qmp: [CAPS, { execute: 'nope' }, 'garbage', QUIT] },
  ],
  [
    // The same input as the one before, read again in 11.1's JSON error wording (line:column).
    'an unknown command and a line that is not JSON, in 11.1',
    { args: ['--qemu-version', '11.1', '-nodefaults', '-S', '-display', 'none', '-qmp', 'stdio'], qmp: [CAPS, { execute: 'nope' }, 'garbage', QUIT] },
  ],
  ['no monitor: exits once started', { args: ['--qemu-version', '10.0', '-nodefaults', '-S', '-display', 'none'], qmp: [] }],
  ["a usage error of hotmem's own", { args: ['--qemu-version', '0.1', '-S'], qmp: [] }],
  ['-machine help', { args: ['--qemu-version', '5.2', '-machine', 'help'], qmp: [] }],
];

/** A separate `hotmem qemu` process, as a script would start one per configuration. */
function separateProcess(invocation: Invocation): Omit<BatchRecord, 'replies' | 'events'> {
  const main = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const input = invocation.qmp.map((c) => `${typeof c === 'string' ? c : JSON.stringify(c)}\n`).join('');
  const run = spawnSync(process.execPath, [main, 'qemu', ...invocation.args], { input, encoding: 'utf8' });
  return { exit: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

async function collect(lines: readonly string[]) {
  const outcomes = [];
  for await (const outcome of runBatch(lines)) outcomes.push(outcome);
  return outcomes;
}

describe('cli/qemu-batch: many invocations in one process', () => {
  it('answers each invocation exactly as a separate hotmem qemu process does, in input order', async function () {
    this.timeout(120_000);
    const outcomes = await collect(INVOCATIONS.map(([, inv]) => JSON.stringify(inv)));
    assert.equal(outcomes.length, INVOCATIONS.length);
    INVOCATIONS.forEach(([what, invocation], i) => {
      const outcome = outcomes[i]!;
      assert.equal(outcome.kind, 'ran', what);
      assert.deepEqual({ exit: outcome.record.exit, stdout: outcome.record.stdout, stderr: outcome.record.stderr }, separateProcess(invocation), what);
    });
  });

  it('models the guest in each invocation: its size changes are events of the record', async () => {
    const [outcome] = await collect([JSON.stringify(INVOCATIONS[3]![1])]);
    assert.ok(outcome?.kind === 'ran');
    assert.ok(outcome.record.events.some((e) => (e as { event: string }).event === 'MEMORY_DEVICE_SIZE_CHANGE'));
  });

  it('lists the replies and events of the transcript, in order, without the greeting', async () => {
    const [outcome] = await collect([JSON.stringify(INVOCATIONS[1]![1])]);
    assert.ok(outcome?.kind === 'ran');
    assert.deepEqual(outcome.record.replies, [{ return: {} }, { return: {} }, { return: {} }, { return: {} }]);
    assert.deepEqual(
      outcome.record.events.map((e) => (e as { event: string }).event),
      ['RESUME', 'STOP', 'SHUTDOWN'],
    );
    assert.match(outcome.record.stderr, /warning: 'unplugged-inaccessible' property set to 'off'/);
  });

  const BAD: readonly (readonly [string, string, RegExp])[] = [
    ['not JSON', '{"args": [', /^line 1: not JSON/],
    ['not an object', '[1, 2]', /^line 1: expected an object/],
    ['args missing', '{"qmp": []}', /^line 1: "args" must be an array of strings/],
    ['args not strings', '{"args": ["-S", 3]}', /^line 1: "args" must be an array of strings/],
    ['qmp not a list', '{"args": [], "qmp": {"execute": "quit"}}', /^line 1: "qmp" must be an array/],
    ['an unknown key', '{"args": [], "stdin": ""}', /^line 1: unknown key "stdin"/],
    ['a nested batch', '{"args": ["--batch", "x"]}', /^line 1: "args" cannot hold --batch/],
  ];
  for (const [what, line, message] of BAD) {
    it(`refuses a line with ${what}, naming it`, () => {
      const parsed = parseInvocation(line);
      assert.equal(parsed.ok, false);
      assert.match(`line 1: ${parsed.problem}`, message);
    });
  }

  it('goes on after a bad line and skips blank ones, numbering lines as the file does', async () => {
    const good = JSON.stringify(INVOCATIONS[6]![1]);
    const outcomes = await collect([good, '', '{oops', good]);
    assert.deepEqual(
      outcomes.map((o) => [o.kind, o.line]),
      [
        ['ran', 1],
        ['bad-line', 3],
        ['ran', 4],
      ],
    );
  });

  it('hotmem qemu --batch FILE and --batch - print one JSON line per invocation and exit 1 after a bad line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotmem-batch-'));
    const file = join(dir, 'batch.jsonl');
    const text = `${JSON.stringify(INVOCATIONS[6]![1])}\n{"args": 1}\n${JSON.stringify(INVOCATIONS[2]![1])}\n`;
    writeFileSync(file, text);
    for (const [args, stdin] of [
      [['qemu', '--batch', file], undefined],
      [['qemu', '--batch', '-'], Readable.from([text])],
    ] as const) {
      let out = '';
      let err = '';
      const status = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), ...(stdin ? { stdin } : {}) });
      const records = out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(status, 1);
      assert.deepEqual(
        records.map((r) => r['exit'] ?? r['error']),
        [0, 'line 2: "args" must be an array of strings (the arguments of `hotmem qemu`)', 1],
      );
      assert.match(err, /--batch .*: line 2: "args" must be an array of strings/);
    }
  });

  const CHUNKINGS: readonly (readonly [string, readonly (string | Buffer)[]])[] = [
    ['LF and a last line without an end', ['a\nb\n\nc']],
    ['CRLF split between chunks', ['a\r', '\nb\r\n']],
    ['a lone CR', ['a\rb\r']],
    ['a CR at the end of the input', ['a\r']],
    ['blank lines only', ['\n\n']],
    ['nothing', []],
    ['a UTF-8 character split between chunks', [Buffer.from([0x61, 0xc3]), Buffer.from([0xa9, 0x0a, 0x62])]],
  ];
  for (const [what, chunks] of CHUNKINGS) {
    it(`splits input lines as readline does: ${what}`, async () => {
      const lines = async (source: AsyncIterable<string>) => {
        const out: string[] = [];
        for await (const line of source) out.push(line);
        return out;
      };
      const expected = await lines(createInterface({ input: Readable.from(chunks), crlfDelay: Infinity }));
      assert.deepEqual(await lines(textLines(Readable.from(chunks))), expected);
    });
  }

  it('writes integers past 2^53 in replies digit for digit (an echoed id)', async () => {
    const id = '18446744073709551615';
    const invocation = {
      args: ['--qemu-version', '10.0', '-S', '-nodefaults', '-display', 'none', '-qmp', 'stdio'],
      qmp: [`{"execute": "qmp_capabilities", "id": ${id}}`, QUIT],
    };
    let out = '';
    const status = await runCli(['qemu', '--batch', '-'], { out: (t) => (out += t), err: () => undefined, stdin: Readable.from([JSON.stringify(invocation)]) });
    assert.equal(status, 0);
    assert.ok(out.includes(`"replies":[{"return":{},"id":${id}},{"return":{}}]`), out);
    const plain: BatchRecord = { exit: 1, stdout: 'a\r\n"b"', stderr: '', replies: [{ return: { size: 2.5, list: [null, true] } }], events: [] };
    assert.equal(recordLine(plain), `${JSON.stringify(plain)}\n`);
  });

  it('refuses --batch with other arguments or without a file', async () => {
    for (const args of [
      ['qemu', '--batch', 'f', '-S'],
      ['qemu', '-S', '--batch', 'f'],
      ['qemu', '--batch'],
      ['qemu', '--batch', '/nonexistent/batch.jsonl'],
    ]) {
      let err = '';
      assert.equal(await runCli(args, { out: () => undefined, err: (t) => (err += t) }), 2, args.join(' '));
      assert.match(err, /--batch/);
    }
  });

  describe("prepared machines: an invocation whose commands only read borrows its arguments' machine", () => {
    const VM0 = '/machine/peripheral/vm0';
    const args = INVOCATIONS[0]![1].args;
    const READ: Invocation = {
      args,
      qmp: [
        CAPS,
        { execute: 'qom-get', arguments: { path: VM0, property: 'requested-size' } },
        { execute: 'qom-list', arguments: { path: '/objects' } },
        { execute: 'query-memory-devices' },
        { execute: 'x-query-host-memory' },
        { execute: 'query-status' },
        QUIT,
      ],
    };
    const WRITE: Invocation = {
      args,
      qmp: [
        CAPS,
        { execute: 'qom-set', arguments: { path: VM0, property: 'requested-size', value: 512 * 2 ** 20 } },
        { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'mem1', size: 2 ** 30 } },
        { execute: 'cont' },
        { execute: 'qom-get', arguments: { path: VM0, property: 'requested-size' } },
        { execute: 'qom-list', arguments: { path: '/objects' } },
        { execute: 'query-status' },
      ],
    };
    // Stdin ends without quit: the borrower's session lets go of the machine all the same.
    const READ_UNENDED: Invocation = { args, qmp: READ.qmp.slice(0, -1) };

    it("no invocation sees another one's changes: each record is that of an invocation on a machine of its own", async () => {
      const machines = batchMachines();
      const order = [READ, WRITE, READ_UNENDED, WRITE, READ];
      const records: BatchRecord[] = [];
      for (const invocation of order) records.push(await runInvocation(invocation, machines));
      assert.equal(machines.size, 1, 'one configuration prepared');
      // Each alone, sharing nothing.
      const alone = new Map<Invocation, BatchRecord>();
      for (const invocation of [READ, WRITE, READ_UNENDED]) alone.set(invocation, await runInvocation(invocation));
      order.forEach((invocation, i) => assert.deepEqual(records[i], alone.get(invocation), `invocation ${i + 1}`));
      const [read, write] = [alone.get(READ)!, alone.get(WRITE)!];
      // The changes did happen, on the writers' own machines.
      assert.deepEqual(write.replies.slice(1, 4), [{ return: {} }, { return: {} }, { return: {} }]);
      assert.deepEqual(write.replies[4], { return: 512 * 2 ** 20 });
      assert.deepEqual(read.replies[1], { return: 0 });
      assert.ok(JSON.stringify(write.replies[5]).includes('mem1') && !JSON.stringify(read.replies[2]).includes('mem1'));
      assert.deepEqual(
        [read.replies[5], write.replies[6]].map((r) => (r as { return: { status: string } }).return.status),
        ['prelaunch', 'running'],
      );
    });
  });
});
