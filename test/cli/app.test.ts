import assert from 'node:assert/strict';
import { HotmemError } from '../../src/core/errors.js';
import { runCli } from '../../src/cli/app.js';
import { UsageError, type Command } from '../../src/cli/command.js';
import { parseArgs } from '../../src/cli/args.js';
import { hotmemVersion } from '../../src/cli/version.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const FAKE: readonly Command[] = [
  { name: 'ok', summary: 'succeeds', usage: 'Usage: hotmem ok\n', run: (_args, io) => (io.out('fine\n'), 0) },
  {
    name: 'bad',
    summary: 'fails',
    usage: 'Usage: hotmem bad\n',
    run: (args) => {
      if (args[0] === 'usage') throw new UsageError('needs a FILE');
      throw new HotmemError('test.fail', 'it broke');
    },
  },
];

describe('cli/app', () => {
  const CASES: ReadonlyArray<readonly [string[], number, RegExp, 'out' | 'err']> = [
    [[], 2, /^Usage: hotmem <command>/, 'out'],
    [['--help'], 0, /Commands:\n {2}ok {3}succeeds\n {2}bad {2}fails/, 'out'],
    [['help', 'ok'], 0, /^Usage: hotmem ok/, 'out'],
    [['--version'], 0, /^hotmem \d+\.\d+\.\d+\n$/, 'out'],
    [['frob'], 2, /^hotmem: unknown command 'frob'/, 'err'],
    [['ok'], 0, /^fine\n$/, 'out'],
    [['ok', '--help'], 0, /^Usage: hotmem ok/, 'out'],
    [['bad'], 1, /^hotmem bad: it broke\n$/, 'err'],
    [['bad', 'usage'], 2, /^hotmem bad: needs a FILE\n\nUsage: hotmem bad/, 'err'],
  ];
  for (const [argv, status, pattern, stream] of CASES) {
    it(`hotmem ${argv.join(' ')} exits ${status}`, async () => {
      const { io, out, err } = capture();
      assert.equal(await runCli(argv, io, FAKE), status);
      assert.match((stream === 'out' ? out : err).join(''), pattern);
    });
  }

  it('reads the version from package.json', () => assert.match(hotmemVersion(), /^\d+\.\d+\.\d+/));

  it('parses options and refuses unknown ones', () => {
    const specs = [
      { name: 'arch', takesValue: true, choices: ['x86_64', 's390x'] },
      { name: 'json', takesValue: false },
    ];
    const parsed = parseArgs(['a', '--arch', 's390x', '--json', 'b'], specs);
    assert.deepEqual(
      [...parsed.options],
      [
        ['arch', 's390x'],
        ['json', true],
      ],
    );
    assert.deepEqual(parsed.positionals, ['a', 'b']);
    assert.equal(parseArgs(['--arch=x86_64'], specs).options.get('arch'), 'x86_64');
    assert.throws(() => parseArgs(['--frob'], specs), /unknown option '--frob'/);
    assert.throws(() => parseArgs(['--arch', 'arm'], specs), /must be one of x86_64, s390x/);
    assert.throws(() => parseArgs(['--arch'], specs), /needs a value/);
  });
});
