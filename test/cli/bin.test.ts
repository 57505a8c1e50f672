/**
 * The `hotmem` bin (dist/build/bin.cjs: the bundle `npm run build` writes, with its code cache)
 * answers as the unbundled command does, for the paths the bundle loads lazily: the version,
 * `-machine help` listings, a QMP conversation on stdio, a batch read from stdin, help and usage
 * errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const root = packageRoot();
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

function run(script: string, args: readonly string[], input = '') {
  const r = spawnSync(process.execPath, [script, ...args], { input, encoding: 'utf8', cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli/bin: the bundled hotmem command', function () {
  this.timeout(60_000);
  for (const [what, args, input] of CASES) {
    it(`answers ${what} as the unbundled command does`, () => {
      const bundled = run(join(root, 'dist', 'build', 'bin.cjs'), args, input);
      assert.deepEqual(bundled, run(join(root, 'dist', 'src', 'cli', 'main.js'), args, input));
      assert.notEqual(bundled.stdout + bundled.stderr, '');
    });
  }
});
