import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB } from '../../../src/core/units.js';
import { release } from '../../../src/core/release.js';
import { runQemu, type QemuBinary } from '../../../src/frontends/cmdline/qemu.js';
import { buildInvocation } from '../../../src/frontends/cmdline/invocation.js';
import { parseArgv } from '../../../src/frontends/cmdline/parse-argv.js';
import { testEnvironment } from '../../machine/fixtures.js';
import { qemuBinary } from '../../../src/cli/binary.js';

const BINARY: QemuBinary = {
  release: release('7.2'),
  arch: 'x86_64',
  environment: testEnvironment(),
  machineHelp: () => 'Supported machines are:\n',
};

const TARGET = { release: BINARY.release, arch: BINARY.arch };
const invocationOf = (argv: readonly string[]) => buildInvocation(parseArgv(argv, TARGET.release), TARGET);

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const outcome = runQemu(BINARY, argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { outcome, out: out.join(''), err: err.join('') };
}

describe('frontends/cmdline: qemu-system arguments', () => {
  const EXITS: ReadonlyArray<readonly [string[], number, string, string]> = [
    [['-frob'], 1, '', 'qemu-system-x86_64: -frob: invalid option\n'],
    [['-m'], 1, '', 'qemu-system-x86_64: -m: requires an argument\n'],
    [['-machine', 'help'], 0, 'Supported machines are:\n', ''],
    [['-M', 'q35,help'], 0, 'Supported machines are:\n', ''],
    [['-device', 'frob,help'], 0, '', "qemu-system-x86_64: -device frob,help: Device 'frob' not found\n"],
    [['-object', 'frob,help'], 1, '', "qemu-system-x86_64: -object frob,help: Parameter 'qom-type' does not accept value 'frob'\n"],
    [
      ['-machine', 'q35', '-m', '1G,maxmem=512M'],
      1,
      '',
      'qemu-system-x86_64: invalid value of maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)\n',
    ],
    [
      ['-machine', 'q35', '-m', '1G', '-object', 'memory-backend-ram,id=m0,size=1G', '-device', 'test-memdev-pci,id=d0,memdev=m0'],
      1,
      '',
      'qemu-system-x86_64: -device test-memdev-pci,id=d0,memdev=m0: memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option\n',
    ],
    [
      ['-machine', 'q35', '-device', 'test-memdev-pci,frob=1'],
      1,
      '',
      "qemu-system-x86_64: -device test-memdev-pci,frob=1: Property 'test-memdev-pci.frob' not found\n",
    ],
    [['-machine', 'pc-q35-frob'], 1, '', 'qemu-system-x86_64: unsupported machine type\nUse -machine help to list supported machines\n'],
    [['-machine', 'q35,accel=hax'], 1, '', 'qemu-system-x86_64: invalid accelerator hax\n'],
    [
      ['-machine', 'q35', '-m', '1x'],
      1,
      '',
      "qemu-system-x86_64: -m 1x: Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.\n",
    ],
    [
      ['-global', 'nodot'],
      1,
      '',
      "qemu-system-x86_64: -global nodot: warning: short-form boolean option 'nodot' deprecated\nPlease use dot=off instead\nqemu-system-x86_64: -global nodot: Invalid parameter 'dot'\n",
    ],
    [['-global', 'driver=a,property=b'], 1, '', "qemu-system-x86_64: -global driver=a,property=b: options 'driver', 'property', and 'value' are required\n"],
    // QEMU 7.2 starts the incoming migration once the machine exists and reports the URI's error there.
    [['-machine', 'q35', '-incoming', 'foo:bar'], 1, '', 'qemu-system-x86_64: -incoming foo:bar: unknown migration protocol: foo:bar\n'],
    [['-machine', 'q35', '-incoming', 'unix:'], 1, '', 'qemu-system-x86_64: -incoming unix:: invalid Unix socket address\n'],
    [['-machine', 'q35', '-incoming', 'tcp:localhost'], 1, '', "qemu-system-x86_64: -incoming tcp:localhost: error parsing address 'localhost'\n"],
    [['-machine', 'q35', '-incoming'], 1, '', 'qemu-system-x86_64: -incoming: requires an argument\n'],
  ];
  for (const [argv, status, out, err] of EXITS) {
    it(`${argv.join(' ')} → exit ${status}`, () => {
      const result = run(argv);
      assert.deepEqual(result.outcome.kind === 'exited' ? result.outcome.status : 'running', status);
      assert.equal(result.out, out);
      assert.equal(result.err, err);
    });
  }

  it('-incoming leaves the VM waiting (inmigrate); -S also clears autostart', () => {
    const RUNS: ReadonlyArray<readonly [string[], string, boolean]> = [
      [['-machine', 'q35'], 'running', true],
      [['-machine', 'q35', '-S'], 'prelaunch', false],
      [['-machine', 'q35', '-incoming', 'defer'], 'inmigrate', true],
      [['-machine', 'q35', '-incoming', 'unix:/tmp/x.sock', '-S'], 'inmigrate', false],
    ];
    for (const [argv, state, autostart] of RUNS) {
      const { outcome } = run(argv);
      assert.equal(outcome.kind, 'running');
      assert.deepEqual([outcome.machine.runState, outcome.machine.autostart], [state, autostart], argv.join(' '));
    }
  });

  it('starts a machine and prints option warnings with their location', () => {
    const result = run([
      '-machine',
      'q35',
      '-m',
      '1G,maxmem=4G',
      '-object',
      'memory-backend-ram,id=m0,size=1G,noshare',
      '-device',
      'test-memdev-pci,id=d0,memdev=m0',
      '-S',
      '-display',
      'none',
      '-nodefaults',
    ]);
    assert.equal(result.outcome.kind, 'running');
    assert.equal(
      result.err,
      "qemu-system-x86_64: -object memory-backend-ram,id=m0,size=1G,noshare: warning: short-form boolean option 'noshare' deprecated\nPlease use share=off instead\n",
    );
  });

  it('words a deprecated machine type as an error line before 6.0 and as a warning from 6.0', () => {
    const firstLine = (at: string, machine: string) => {
      const err: string[] = [];
      runQemu(qemuBinary(new Map([['qemu-version', at]])), ['-machine', machine, '-S', '-display', 'none', '-nodefaults'], {
        out: () => undefined,
        err: (t) => err.push(t),
      });
      return err.join('').split('\n')[0];
    };
    assert.equal(firstLine('5.2', 'pc-1.3'), "qemu-system-x86_64: Machine type 'pc-1.3' is deprecated: use a newer machine type instead");
    assert.equal(
      firstLine('7.2', 'pc-i440fx-1.7'),
      "qemu-system-x86_64: warning: Machine type 'pc-i440fx-1.7' is deprecated: old and unattended - use a newer version instead",
    );
  });

  it('words options as 5.2 did: no short-form boolean warning, the -m wording of a backend size mismatch', () => {
    const stderr = (at: string, ...args: string[]) => {
      const err: string[] = [];
      runQemu(qemuBinary(new Map([['qemu-version', at]])), ['-S', '-display', 'none', '-nodefaults', ...args], {
        out: () => undefined,
        err: (t) => err.push(t),
      });
      return err.join('');
    };
    assert.equal(stderr('5.2', '-global', 'nodot'), "qemu-system-x86_64: -global nodot: Invalid parameter 'dot'\n");
    assert.match(stderr('6.0', '-global', 'nodot'), /warning: short-form boolean option 'nodot' deprecated/);
    const mismatch = ['-machine', 'q35,memory-backend=m0', '-m', '2G', '-object', 'memory-backend-ram,id=m0,size=1G'];
    assert.equal(
      stderr('5.2', ...mismatch),
      "qemu-system-x86_64: Size specified by -m option must match size of explicitly specified 'memory-backend' property\n",
    );
    assert.equal(stderr('6.0', ...mismatch), 'qemu-system-x86_64: Machine memory size does not match the size of the memory backend\n');
  });

  it('takes a -global without value before 7.0: a warning for a class that does not exist, hotmem refuses it for one that does', () => {
    const run = (at: string, ...args: string[]) => {
      const err: string[] = [];
      const outcome = runQemu(qemuBinary(new Map([['qemu-version', at]])), ['-S', '-display', 'none', '-nodefaults', ...args], {
        out: () => undefined,
        err: (t) => err.push(t),
      });
      return { status: outcome.kind === 'exited' ? outcome.status : 0, stderr: err.join('') };
    };
    assert.deepEqual(run('6.2', '-global', 'driver=a,property=b'), { status: 0, stderr: 'qemu-system-x86_64: warning: global a.b has invalid class name\n' });
    assert.deepEqual(run('7.0', '-global', 'driver=a,property=b'), {
      status: 1,
      stderr: "qemu-system-x86_64: -global driver=a,property=b: options 'driver', 'property', and 'value' are required\n",
    });
    assert.match(
      run('5.2', '-global', 'driver=virtio-mem-pci,property=block-size').stderr,
      /hotmem: this release registers -global virtio-mem-pci\.block-size without a value/,
    );
  });

  it('creates -object as 5.2 did: no ObjectOptions schema, creation errors at the option', () => {
    const stderr = (at: string, object: string) => {
      const err: string[] = [];
      runQemu(qemuBinary(new Map([['qemu-version', at]])), ['-S', '-display', 'none', '-nodefaults', '-object', object], {
        out: () => undefined,
        err: (t) => err.push(t),
      });
      return err.join('');
    };
    const CASES: readonly (readonly [string, string, string])[] = [
      ['memory-backend-ram,id=m0', "can't create backend with size 0", "Parameter 'size' is missing"],
      ['memory-backend-ram,id=m0,size=1G,frob=1', "Property 'memory-backend-ram.frob' not found", "Invalid parameter 'frob'"],
      ['memory-backend-ram,id=m0,size=1G,policy=bind', 'host-nodes must be set for policy bind', ''],
    ];
    assert.equal(stderr('5.2', 'frob,help'), "qemu-system-x86_64: -object frob,help: Parameter 'id' is missing\n");
    assert.equal(stderr('5.2', 'memory-backend,id=x'), "qemu-system-x86_64: -object memory-backend,id=x: object type 'memory-backend' is abstract\n");
    // 6.0 checks the schema's qom-type enum; input_type_enum names the member only from 6.2.
    assert.equal(stderr('6.0', 'memory-backend,id=x'), "qemu-system-x86_64: -object memory-backend,id=x: Invalid parameter 'memory-backend'\n");
    assert.equal(
      stderr('6.2', 'memory-backend,id=x'),
      "qemu-system-x86_64: -object memory-backend,id=x: Parameter 'qom-type' does not accept value 'memory-backend'\n",
    );
    for (const [object, old, schema] of CASES) {
      assert.equal(stderr('5.2', object), `qemu-system-x86_64: -object ${object}: ${old}\n`);
      assert.equal(stderr('6.0', object), schema === '' ? `qemu-system-x86_64: ${old}\n` : `qemu-system-x86_64: -object ${object}: ${schema}\n`);
    }
  });

  it('has greeted on a stdio monitor when the board or a device fails, not when the options do', () => {
    const stdout = (...args: string[]) => {
      const out: string[] = [];
      runQemu(qemuBinary(new Map([['qemu-version', '7.2']])), ['-qmp', 'stdio', '-S', '-display', 'none', '-nodefaults', ...args], {
        out: (t) => out.push(t),
        err: () => undefined,
      });
      return out.join('');
    };
    const greeting = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "hotmem"}, "capabilities": ["oob"]}}\r\n';
    assert.equal(stdout('-machine', 'q35', '-device', 'virtio-mem-pci,memdev=nope'), greeting);
    assert.equal(stdout('-machine', 'q35', '-m', '4G,maxmem=2T'), greeting);
    assert.equal(stdout('-machine', 'q35', '-m', '1G,maxmem=512M'), '');
    assert.equal(stdout('-object', 'memory-backend-ram,id=m0,size=0'), '');
  });

  it('-mem-prealloc preallocates every memory backend by default, the machine RAM included; an explicit prealloc=off wins', () => {
    const err: string[] = [];
    const argv = ['-machine', 'q35', '-m', '256M', '-mem-prealloc', '-object', 'memory-backend-ram,id=m0,size=64M,prealloc=off', '-S'];
    const outcome = runQemu(qemuBinary(new Map([['qemu-version', '10.0']])), argv, { out: () => undefined, err: (t) => err.push(t) });
    assert.equal(outcome.kind, 'running', err.join(''));
    const prealloc = (path: string) => outcome.machine.model.resolvePath(path)?.get('prealloc');
    assert.deepEqual([prealloc('/objects/pc.ram'), prealloc('/objects/m0')], [true, false]);
  });

  it('merges repeated -m options as QEMU merges the memory group', () => {
    const invocation = invocationOf(['-m', '1G', '-m', 'maxmem=4G']);
    assert.equal(invocation.memory, 'size=1G,maxmem=4G');
  });

  it('reads -device JSON with typed values, and -qmp channels', () => {
    const invocation = invocationOf([
      '-device',
      '{"driver":"test-memdev-pci","id":"d0","memaddr":4294967296}',
      '-qmp',
      'unix:/tmp/q.sock,server=on,wait=off',
      '-qmp',
      'stdio',
    ]);
    assert.deepEqual(invocation.items[0], {
      kind: 'device',
      driver: 'test-memdev-pci',
      id: 'd0',
      bus: undefined,
      props: [{ name: 'memaddr', json: 4294967296 }],
      location: '-device {"driver":"test-memdev-pci","id":"d0","memaddr":4294967296}',
    });
    assert.deepEqual(invocation.qmp, [
      { kind: 'unix', path: '/tmp/q.sock', pretty: false, monitorId: 'compat_monitor0' },
      { kind: 'stdio', pretty: false, monitorId: 'compat_monitor1' },
    ]);
  });

  it('treats a -device JSON driver, id or bus that is not a string as absent, as qdict_get_try_str does', () => {
    const invocation = invocationOf(['-device', '{"driver":5,"id":{},"bus":true}']);
    assert.deepEqual(
      [invocation.items[0]],
      [{ kind: 'device', driver: undefined, id: undefined, bus: undefined, props: [], location: '-device {"driver":5,"id":{},"bus":true}' }],
    );
    assert.equal(run(['-device', '{"driver":5}']).err, 'qemu-system-x86_64: -device {"driver":5}: Parameter \'driver\' is missing\n');
  });

  it('creates JSON -device options after every QemuOpts one (qemu_create_cli_devices); 5.2 reads JSON as QemuOpts', () => {
    const argv = ['-device', '{"driver":"d0"}', '-device', 'd1'];
    assert.deepEqual(
      invocationOf(argv).items.map((i) => (i.kind === 'device' ? i.driver : i.kind)),
      ['d1', 'd0'],
    );
    const before = buildInvocation(parseArgv(argv, release('5.2')), { release: release('5.2'), arch: 'x86_64' });
    assert.deepEqual(
      before.items.map((i) => (i.kind === 'device' ? i.driver : i.kind)),
      ['{"driver":"d0"}', 'd1'],
    );
  });
});

/** hotmem qemu of `version`, paused and without default devices. */
function runRelease(version: string, argv: readonly string[]) {
  const err: string[] = [];
  const outcome = runQemu(qemuBinary(new Map([['qemu-version', version]])), ['-display', 'none', '-nodefaults', '-S', ...argv], {
    out: () => undefined,
    err: (t) => err.push(t),
  });
  return { outcome, err: err.join('') };
}

describe('frontends/cmdline: -mem-path', () => {
  it("maps the machine's RAM from a temporary file in a directory, copied on write when preallocated (MAP_PRIVATE)", () => {
    const { outcome, err } = runRelease('10.0', ['-m', '64M', '-mem-path', tmpdir(), '-mem-prealloc']);
    assert.equal(err, '');
    const machine = (outcome as Extract<typeof outcome, { kind: 'running' }>).machine;
    const ram = machine.model.resolvePath('/objects/pc.ram')!;
    assert.equal(ram.type, 'memory-backend-file');
    assert.deepEqual([machine.process.status().rssAnon, machine.process.status().rssFile], [64 * MiB, 0]);
  });

  it("refuses a path it cannot open with QEMU's message, without a location", () => {
    const { outcome, err } = runRelease('7.2', ['-mem-path', join(tmpdir(), 'hotmem-no-such-dir', 'ram')]);
    assert.equal(outcome.kind, 'exited');
    assert.equal(err, `qemu-system-x86_64: can't open backing store ${join(tmpdir(), 'hotmem-no-such-dir', 'ram')} for guest RAM: No such file or directory\n`);
  });
});
