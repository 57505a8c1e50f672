/**
 * The `hotmem` bin (dist/build/hotmem: Node on the start-up snapshot) and the bundle's loader it
 * falls back to (dist/build/bin.cjs: the bundle `npm run build` writes, with its code cache)
 * answer as the unbundled command does, for the paths the bundle loads lazily: the version,
 * `-machine help` listings, a QMP conversation on stdio, a batch read from stdin, help and usage
 * errors. The snapshot answers only for the package it was built in and on the node that built
 * it: moved, the package answers from its new place; another node starts from the bundle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const root = packageRoot();
const BIN = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { hotmem: string } }).bin.hotmem);
const QMP = '{"execute":"qmp_capabilities"}\n{"execute":"qom-get","arguments":{"path":"/machine/peripheral/vm0","property":"size"}}\n{"execute":"quit"}\n';
const CONFIG = [
  'qemu',
  '--qemu-version',
  '10.0',
  '-M',
  'pc-q35-8.1',
  '-m',
  '512M,slots=1,maxmem=2560M',
  '-object',
  'memory-backend-memfd,id=mem0,size=2G',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=mem0',
  '-S',
  '-nodefaults',
  '-display',
  'none',
  '-qmp',
  'stdio',
];

const CASES: readonly (readonly [string, readonly string[], string?])[] = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['machines', ['machines']],
  ['machines of an older release and the other target', ['machines', '--qemu-version', '5.2', '--arch', 's390x']],
  ['a release that is not modelled', ['machines', '--qemu-version', '4.0']],
  ['qemu with a QMP conversation on stdio', CONFIG, QMP],
  [
    'qemu --batch -',
    ['qemu', '--batch', '-'],
    `${JSON.stringify({ args: CONFIG.slice(1), qmp: ['{"execute":"qmp_capabilities"}', '{"execute":"quit"}'] })}\n{"args": 1}\n`,
  ],
  ['matrix --help', ['matrix', '--help']],
];

function run(command: readonly string[], args: readonly string[], input = '', env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(command[0]!, [...command.slice(1), ...args], { input, encoding: 'utf8', cwd: root, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const unbundled = [process.execPath, join(root, 'dist', 'src', 'cli', 'main.js')];

describe('cli/bin: the bundled hotmem command', function () {
  this.timeout(60_000);
  for (const [what, args, input] of CASES) {
    // The bin starts `qemu` from the snapshot, the others from bin.cjs: for `qemu` bin.cjs is what it falls back to.
    const fromSnapshot = args[0] === 'qemu';
    it(`answers ${what} as the unbundled command does${fromSnapshot ? ', from the snapshot and from the bundle' : ''}`, () => {
      const expected = run(unbundled, args, input);
      assert.notEqual(expected.stdout + expected.stderr, '');
      assert.deepEqual(run([BIN], args, input), expected, 'the package bin');
      if (fromSnapshot) assert.deepEqual(run([process.execPath, join(root, 'dist', 'build', 'bin.cjs')], args, input), expected, 'bin.cjs');
    });
  }

  it('builds the snapshot the bin starts on, for this node', () => {
    assert.match(
      readFileSync(join(root, 'dist', 'bundle', 'hotmem.blob'))
        .subarray(0, 4096)
        .toString('latin1'),
      new RegExp(process.versions.node.replaceAll('.', '\\.')),
    );
  });

  describe('where the snapshot may not answer', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'hotmem-bin-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('answers for a package moved after its build from its new place (its own compat images)', () => {
      const moved = join(scratch, 'moved');
      mkdirSync(join(moved, 'dist'), { recursive: true });
      for (const shared of ['package.json', 'src', 'compat', 'node_modules']) symlinkSync(join(root, shared), join(moved, shared));
      for (const copied of ['build', 'bundle', 'compat'])
        cpSync(join(root, 'dist', copied), join(moved, 'dist', copied), { recursive: true, verbatimSymlinks: true });
      const image = join(moved, 'dist', 'compat', '10.0.json');
      writeFileSync(image, readFileSync(image, 'utf8').replaceAll('Standard PC (Q35 + ICH9, 2009)', 'Moved PC (Q35)'));
      const help = run([join(moved, 'dist', 'build', 'hotmem')], ['qemu', '--qemu-version', '10.0', '-machine', 'help']);
      assert.match(help.stdout, /^pc-q35-8\.1 +Moved PC \(Q35\)$/m);
    });

    it('starts from the bundle with a node other than the one that built the snapshot', () => {
      // A node that refuses the snapshot, as another Node build does: its V8 flags differ.
      const other = join(scratch, 'other-node');
      mkdirSync(other);
      writeFileSync(join(other, 'node'), `#!/bin/sh\nexec "${process.execPath}" --no-opt "$@"\n`);
      chmodSync(join(other, 'node'), 0o755);
      const env = { ...process.env, PATH: `${other}${delimiter}${process.env['PATH'] ?? ''}` };
      const input = CASES.find(([what]) => what.startsWith('qemu with'))!;
      assert.deepEqual(run([BIN], input[1], input[2], env), run(unbundled, input[1], input[2]));
    });
  });
});
