import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { MiB } from '../../../src/core/units.js';
import { buildInvocation } from '../../../src/frontends/cmdline/invocation.js';
import { parseArgv } from '../../../src/frontends/cmdline/parse-argv.js';
import { runQemu } from '../../../src/frontends/cmdline/qemu.js';

const binary = (version: string) => qemuBinary(new Map([['qemu-version', version]]));
const memLock = (version: string, argv: readonly string[]) => {
  const b = binary(version);
  return buildInvocation(parseArgv(argv, b.release), { release: b.release, arch: b.arch }).memLock;
};

function run(version: string, argv: readonly string[]) {
  const err: string[] = [];
  const outcome = runQemu(binary(version), ['-display', 'none', '-nodefaults', '-S', ...argv], { out: () => undefined, err: (t) => err.push(t) });
  return { outcome, err: err.join('') };
}

const ON_THEN_OFF = ['-overcommit', 'mem-lock=on', '-overcommit', 'mem-lock=off'];
const ON_THEN_CPU_PM = ['-overcommit', 'mem-lock=on', '-overcommit', 'cpu-pm=off'];

describe('frontends/cmdline/mem-lock', () => {
  // As the four binaries combine the options (VmLck of the real processes).
  const STATES: ReadonlyArray<readonly [string, readonly string[], string]> = [
    ['5.2', [], 'off'],
    ['5.2', ['-overcommit', 'mem-lock=yes'], 'on'],
    ['5.2', ON_THEN_OFF, 'on'],
    ['5.2', ['-overcommit', 'mem-lock=on,mem-lock=off'], 'off'],
    ['5.2', ['-realtime', 'mlock=on'], 'on'],
    ['5.2', ['-realtime', ''], 'on'],
    ['5.2', ['-overcommit', 'mem-lock=on', '-realtime', 'mlock=off'], 'on'],
    ['7.2', ON_THEN_OFF, 'off'],
    ['7.2', ON_THEN_CPU_PM, 'off'],
    ['7.2', ['-overcommit', 'mem-lock'], 'on'],
    ['9.0', ON_THEN_CPU_PM, 'off'],
    ['9.1', ON_THEN_CPU_PM, 'on'],
    ['10.0', ON_THEN_CPU_PM, 'on'],
    ['10.0', ON_THEN_OFF, 'off'],
    ['10.0', ['-overcommit', 'mem-lock=on-fault'], 'on-fault'],
    ['11.1', ['-overcommit', 'mem-lock'], 'on'],
  ];
  for (const [version, argv, state] of STATES) {
    it(`${version}: ${argv.join(' ') || 'no option'} leaves mem-lock ${state}`, () => {
      assert.equal(memLock(version, argv), state);
    });
  }

  const ERRORS: ReadonlyArray<readonly [string, readonly string[], string]> = [
    ['5.2', ['-overcommit', 'mem-lock=on-fault'], "qemu-system-x86_64: -overcommit mem-lock=on-fault: Parameter 'mem-lock' expects 'on' or 'off'\n"],
    ['7.2', ['-overcommit', 'mem-lock=foo'], "qemu-system-x86_64: -overcommit mem-lock=foo: Parameter 'mem-lock' expects 'on' or 'off'\n"],
    ['10.0', ['-overcommit', 'mem-lock=yes'], "qemu-system-x86_64: -overcommit mem-lock=yes: parameter 'mem-lock' expects one of 'on', 'off', 'on-fault'\n"],
    [
      '5.2',
      ['-realtime', 'mlock=foo'],
      "qemu-system-x86_64: -realtime mlock=foo: warning: '-realtime mlock=...' is deprecated, please use '-overcommit mem-lock=...' instead\n" +
        "qemu-system-x86_64: -realtime mlock=foo: Parameter 'mlock' expects 'on' or 'off'\n",
    ],
    ['7.2', ['-realtime', 'mlock=on'], 'qemu-system-x86_64: -realtime: invalid option\n'],
  ];
  for (const [version, argv, err] of ERRORS) {
    it(`${version}: refuses ${argv.join(' ')} in QEMU's words`, () => {
      const { outcome, err: printed } = run(version, argv);
      assert.deepEqual([outcome.kind === 'exited' ? outcome.status : 'running', printed], [1, err]);
    });
  }

  const FIGURES: ReadonlyArray<readonly [string, string, number]> = [
    ['on', '7.2', 128 * MiB],
    ['on-fault', '10.0', 0],
    ['off', '11.1', 0],
  ];
  for (const [value, version, resident] of FIGURES) {
    it(`mem-lock=${value} (${version}): guest RAM ${value === 'off' ? 'not ' : ''}locked, ${resident / MiB} MiB of it resident`, () => {
      const { outcome } = run(version, ['-m', '128M', '-overcommit', `mem-lock=${value}`]);
      assert.equal(outcome.kind, 'running');
      const status = (outcome as { machine: { process: { status(): { vmLck: number; vmRss: number } } } }).machine.process.status();
      assert.deepEqual([status.vmLck, status.vmRss], [value === 'off' ? 0 : 128 * MiB, resident]);
    });
  }

  const VIRTIO_MEM = ['-m', '128M,maxmem=1G,slots=1', '-object', 'memory-backend-ram,id=m0,size=256M', '-device', 'virtio-mem-pci,id=vm0,memdev=m0'];
  for (const version of ['5.2', '7.2', '10.0', '11.1']) {
    it(`refuses virtio-mem on a locked VM (${version})`, () => {
      const { outcome, err } = run(version, ['-overcommit', 'mem-lock=on', ...VIRTIO_MEM]);
      assert.equal(outcome.kind, 'exited');
      assert.equal(err, 'qemu-system-x86_64: -device virtio-mem-pci,id=vm0,memdev=m0: Incompatible with mlock\n');
    });
  }
});
