import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { buildInvocation } from '../../../src/frontends/cmdline/invocation.js';
import { parseArgv } from '../../../src/frontends/cmdline/parse-argv.js';
import { runQemu } from '../../../src/frontends/cmdline/qemu.js';
import { NO_FILES, type HostFiles } from '../../../src/host/files.js';

const binary = (version: string) => qemuBinary(new Map([['qemu-version', version]]));
const invocation = (version: string, argv: readonly string[]) => {
  const b = binary(version);
  return buildInvocation(parseArgv(argv, b.release), { release: b.release, arch: b.arch });
};

function run(version: string, argv: readonly string[], now?: () => Date) {
  const err: string[] = [];
  const outcome = runQemu(binary(version), ['-display', 'none', '-nodefaults', '-S', ...argv], {
    out: () => undefined,
    err: (t) => err.push(t),
    ...(now ? { now } : {}),
  });
  return { status: outcome.kind === 'exited' ? outcome.status : 'running', err: err.join('') };
}

const LIBVIRT_MONITOR = ['-chardev', 'socket,id=charmonitor,fd=1729,server=on,wait=off', '-mon', 'chardev=charmonitor,id=monitor,mode=control'];

describe('frontends/cmdline/monitors', () => {
  const CHANNELS: readonly { readonly what: string; readonly argv: readonly string[]; readonly channels: readonly object[] }[] = [
    {
      what: "libvirt's monitor on a socket fd it passed",
      argv: LIBVIRT_MONITOR,
      channels: [{ kind: 'fd', fd: 1729, location: '-chardev socket,id=charmonitor,fd=1729,server=on,wait=off', pretty: false, monitorId: 'monitor' }],
    },
    {
      what: 'a monitor on a unix socket path, pretty',
      argv: ['-chardev', 'socket,id=m,path=/tmp/m.sock,server=on,wait=off', '-mon', 'm,mode=control,pretty=on'],
      channels: [{ kind: 'unix', path: '/tmp/m.sock', pretty: true, monitorId: 'compat_monitor0' }],
    },
    { what: 'a chardev without a monitor', argv: ['-chardev', 'pty,id=charserial0'], channels: [] },
    {
      what: '-qmp and -mon together',
      argv: ['-qmp', 'stdio', '-chardev', 'socket,id=m,path=/tmp/m.sock,server=on,wait=off', '-mon', 'chardev=m,mode=control'],
      channels: [
        { kind: 'stdio', pretty: false, monitorId: 'compat_monitor0' },
        { kind: 'unix', path: '/tmp/m.sock', pretty: false, monitorId: 'compat_monitor1' },
      ],
    },
  ];
  for (const c of CHANNELS) {
    it(`serves QMP for ${c.what}`, () => {
      const built = invocation('10.0', c.argv);
      assert.equal(built.optionFailure, undefined);
      assert.deepEqual(built.qmp, c.channels);
    });
  }

  const REFUSED: readonly { readonly argv: readonly string[]; readonly err: string }[] = [
    {
      argv: ['-chardev', 'stdio,id=c0', '-mon', 'c0,mode=control'],
      err: 'qemu-system-x86_64: -mon c0,mode=control: hotmem serves QMP on stdio, a unix socket or a socket fd only, not on a stdio chardev\n',
    },
    {
      argv: ['-chardev', 'socket,id=c0,path=/tmp/m.sock,server=on,wait=off', '-mon', 'c0'],
      err: "qemu-system-x86_64: -mon c0: hotmem does not model a human monitor (HMP) on a socket or stdio: its output would be seen (chardev 'c0')\n",
    },
    { argv: ['-monitor', 'stdio'], err: "qemu-system-x86_64: -monitor stdio: hotmem models -monitor none, null or chardev:ID only (got 'stdio')\n" },
    {
      argv: ['-chardev', 'socket,id=c0,host=localhost,port=4444,server=on,wait=off', '-mon', 'c0,mode=control'],
      err: 'qemu-system-x86_64: -mon c0,mode=control: hotmem serves QMP on stdio, a unix socket or a socket fd only, not on a socket chardev that is not a unix socket listening with server=on,wait=off\n',
    },
    {
      argv: ['-chardev', 'spicevmc,id=c0,name=vdagent'],
      err: "qemu-system-x86_64: -chardev spicevmc,id=c0,name=vdagent: hotmem models no 'spicevmc' chardev backend\n",
    },
    {
      argv: ['-chardev', 'socket,id=c0,fd=x,server=on,wait=off'],
      err: 'qemu-system-x86_64: -chardev socket,id=c0,fd=x,server=on,wait=off: Unable to parse FD number x\n',
    },
  ];
  for (const c of REFUSED) {
    it(`refuses ${c.argv.join(' ')}`, () => {
      assert.deepEqual(run('10.0', c.argv), { status: 1, err: c.err });
    });
  }

  it("serves QMP for 11.1's -object monitor-qmp, as newer libvirt attaches its monitor", () => {
    const argv = ['-chardev', 'socket,id=charmonitor,fd=7,server=on,wait=off', '-object', '{"qom-type":"monitor-qmp","id":"monitor","chardev":"charmonitor"}'];
    const built = invocation('11.1', argv);
    assert.equal(built.optionFailure, undefined);
    assert.deepEqual(built.qmp, [
      { kind: 'fd', fd: 7, location: '-chardev socket,id=charmonitor,fd=7,server=on,wait=off', pretty: false, monitorId: 'monitor' },
    ]);
    assert.equal(run('11.1', ['-object', 'monitor-qmp,id=m,chardev=nope']).err, 'qemu-system-x86_64: chardev "nope" not found\n');
    assert.equal(run('11.1', ['-object', 'monitor-qmp,id=m']).err, "qemu-system-x86_64: -object monitor-qmp,id=m: Parameter 'chardev' is missing\n");
  });

  // 11.1 files each monitor under /objects: -qmp and -monitor take compat_monitorN as they are read
  // (not the chardev: form), an -mon without id= the next ones as it is created, after the options
  // (real 11.1.3 named them so).
  const NAMED: readonly { readonly argv: readonly string[]; readonly monitors: readonly string[] }[] = [
    { argv: ['-qmp', 'stdio'], monitors: ['monitor-qmp compat_monitor0'] },
    {
      argv: [
        '-chardev',
        'null,id=c1',
        '-mon',
        'chardev=c1,mode=control',
        '-chardev',
        'null,id=c2',
        '-mon',
        'chardev=c2',
        '-qmp',
        'stdio',
        '-chardev',
        'null,id=cq',
        '-qmp',
        'chardev:cq',
        '-monitor',
        'null',
      ],
      monitors: ['monitor-qmp compat_monitor2', 'monitor-hmp compat_monitor3', 'monitor-qmp compat_monitor0', 'monitor-qmp cq', 'monitor-hmp compat_monitor1'],
    },
    {
      argv: ['-monitor', 'none', '-chardev', 'null,id=c', '-mon', 'c,id=hmp0', '-qmp', 'stdio'],
      monitors: ['monitor-hmp hmp0', 'monitor-qmp compat_monitor0'],
    },
    {
      argv: ['-chardev', 'null,id=c', '-object', 'monitor-qmp,id=mq,chardev=c', '-qmp', 'stdio'],
      monitors: ['monitor-qmp mq', 'monitor-qmp compat_monitor0'],
    },
  ];
  for (const c of NAMED) {
    it(`names the monitors of ${c.argv.join(' ')} as 11.1 does`, () => {
      const built = invocation('11.1', c.argv);
      assert.equal(built.optionFailure, undefined);
      assert.deepEqual(
        built.items.flatMap((i) => (i.kind === 'monitor' ? [`${i.type} ${i.id}`] : [])),
        c.monitors,
      );
      assert.deepEqual(invocation('10.0', c.argv.slice(0, c.argv.includes('-object') ? 0 : undefined)).items, [], 'no monitor objects before 11.1');
    });
  }

  it("takes a chardev for one monitor only, in each release's words", () => {
    const argv = ['-chardev', 'null,id=c2', '-mon', 'chardev=c2', '-mon', 'chardev=c2,mode=control'];
    assert.equal(run('7.2', argv).err, "qemu-system-x86_64: -mon chardev=c2,mode=control: Device 'c2' is in use\n");
    assert.equal(run('10.0', argv).err, "qemu-system-x86_64: -mon chardev=c2,mode=control: chardev 'c2' is already in use\n");
  });

  it('warns of pretty on a human monitor before 6.0 and refuses it since', () => {
    const argv = ['-chardev', 'null,id=c2', '-mon', 'chardev=c2,pretty=on'];
    assert.deepEqual(run('5.2', argv), {
      status: 'running',
      err: "qemu-system-x86_64: -mon chardev=c2,pretty=on: warning: 'pretty' is deprecated for HMP monitors, it has no effect and will be removed in future versions\n",
    });
    assert.deepEqual(run('7.2', argv), { status: 1, err: "qemu-system-x86_64: -mon chardev=c2,pretty=on: 'pretty' is not compatible with HMP monitors\n" });
  });

  it('warns that -mon is deprecated once, at the first -mon', () => {
    const argv = ['-chardev', 'null,id=a', '-mon', 'a', '-chardev', 'null,id=b', '-mon', 'b'];
    assert.deepEqual(run('11.1', argv), {
      status: 'running',
      err: "qemu-system-x86_64: -mon a: warning: '-mon' is deprecated, use '-object' with 'monitor-hmp' or 'monitor-qmp' types instead\n",
    });
  });

  it('warns that -mon is deprecated from 11.1, at the option', () => {
    const argv = [...LIBVIRT_MONITOR, '-machine', 'frob'];
    const warning =
      "qemu-system-x86_64: -mon chardev=charmonitor,id=monitor,mode=control: warning: '-mon' is deprecated, use '-object' with 'monitor-hmp' or 'monitor-qmp' types instead\n";
    assert.ok(run('11.1', argv).err.startsWith(warning));
    assert.ok(!run('10.0', argv).err.includes('deprecated'));
  });
});

describe('frontends/cmdline/invocation: -msg timestamp=on', () => {
  const now = () => new Date(Date.UTC(2026, 11, 7, 12, 4, 26, 461));

  it('prefixes the reports after it with the time, to the microsecond', () => {
    assert.deepEqual(run('10.0', ['-msg', 'timestamp=on', '-machine', 'frob'], now), {
      status: 1,
      err: '2026-12-07T12:04:26.461000Z qemu-system-x86_64: unsupported machine type: "frob"\nUse -machine help to list supported machines\n',
    });
  });

  it('leaves an option error before it as it is', () => {
    assert.deepEqual(run('10.0', ['-name', 'foo,bar=1', '-msg', 'timestamp=on'], now), {
      status: 1,
      err: "qemu-system-x86_64: -name foo,bar=1: Invalid parameter 'bar'\n",
    });
  });

  it('stamps an option error after it', () => {
    assert.deepEqual(run('10.0', ['-msg', 'timestamp=on', '-name', 'foo,bar=1'], now), {
      status: 1,
      err: "2026-12-07T12:04:26.461000Z qemu-system-x86_64: -name foo,bar=1: Invalid parameter 'bar'\n",
    });
  });
});

describe('frontends/cmdline/invocation: options hotmem does not model', () => {
  const CASES: readonly { readonly version: string; readonly argv: readonly string[]; readonly err: string }[] = [
    {
      version: '10.0',
      argv: ['-daemonize'],
      err: 'qemu-system-x86_64: -daemonize: hotmem does not model -daemonize: it runs in the foreground, as a management layer that waits for the monitor expects\n',
    },
    { version: '7.2', argv: ['-win2k-hack'], err: 'qemu-system-x86_64: -win2k-hack: hotmem does not model -win2k-hack (QEMU 7.2 accepts it)\n' },
    { version: '7.2', argv: ['-msg', 'guest-name=on'], err: 'qemu-system-x86_64: -msg guest-name=on: hotmem does not model -msg guest-name=on\n' },
  ];
  for (const c of CASES) {
    it(`refuses ${c.argv.join(' ')} (${c.version}) by name`, () => {
      assert.deepEqual(run(c.version, c.argv), { status: 1, err: c.err });
    });
  }

  it('accepts the options libvirt adds that change nothing modelled', () => {
    const argv = [
      '-name',
      'guest=QEMUGuest1,debug-threads=on',
      '-uuid',
      'c7a5fdbd-edaf-9455-926a-d65c16db1809',
      '-overcommit',
      'mem-lock=off',
      '-smp',
      '2,sockets=2,cores=1,threads=1',
      '-no-user-config',
      '-rtc',
      'base=utc',
      '-no-shutdown',
      '-boot',
      'strict=on',
      '-sandbox',
      'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
      '-msg',
      'timestamp=on',
    ];
    for (const version of ['5.2', '7.2', '10.0', '11.1']) assert.deepEqual(run(version, argv), { status: 'running', err: '' }, version);
  });

  describe("a file chardev opens its path; a client socket connects (the host's answers)", () => {
    const files: HostFiles = {
      ...NO_FILES,
      openForWriting: (path) => (path === '/var/log/q.log' ? undefined : path === '/tmp' ? 'EISDIR' : 'ENOENT'),
      unixConnect: (path) => (path === '/run/listening.sock' ? undefined : 'ECONNREFUSED'),
    };
    const CASES: ReadonlyArray<readonly [string, string | undefined]> = [
      ['file,id=c,path=/var/log/q.log', undefined],
      ['file,id=c,path=/tmp', "Could not open '/tmp': Is a directory"],
      ['file,id=c,path=/nope/q.log', "Could not open '/nope/q.log': No such file or directory"],
      ['file,id=c', 'chardev: file: no filename given'],
      ['socket,id=c,path=/run/listening.sock', undefined],
      ['socket,id=c,path=/run/plain-file', "Failed to connect to '/run/plain-file': Connection refused"],
      ['socket,id=c,path=/run/plain-file,reconnect=1', undefined],
      ['socket,id=c,path=/run/plain-file,server=on,wait=off', undefined],
    ];
    for (const [chardev, error] of CASES) {
      it(`-chardev ${chardev}: ${error ?? 'opens'}`, () => {
        const b = binary('7.2');
        // A chardev's failure waits for the options after it (QEMU creates chardevs once they are read).
        const { optionFailure } = buildInvocation(
          parseArgv(['-chardev', chardev], b.release),
          { release: b.release, arch: b.arch },
          undefined,
          undefined,
          files,
        );
        assert.equal(optionFailure?.error.message, error);
      });
    }
  });
});
