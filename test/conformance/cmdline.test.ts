/**
 * The same QEMU arguments through each Debian release's real qemu-system-x86_64 and through
 * `hotmem qemu` of that release: stdout, stderr and exit status must be identical. Only argument
 * sets that make QEMU exit on its own are listed (errors and help); running machines are compared
 * over QMP.
 */
import { strict as assert } from 'node:assert';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { requireModelled } from './modelled-release.js';
import { runQemu } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';

/** Flags every run gets so a machine that did start would not open windows or wait for a disk. */
const COMMON = ['-display', 'none', '-nodefaults', '-S'];

const CASES: readonly (readonly string[])[] = [
  ['-frob'],
  ['-m'],
  ['-machine', 'pc-q35-frob'],
  ['-machine', 'q35,accel=hax'],
  ['-machine', 'q35', '-m', '1G,maxmem=512M'],
  ['-machine', 'q35', '-m', '1G,slots=2'],
  ['-machine', 'q35', '-m', '1G,slots=2,maxmem=1G'],
  ['-machine', 'q35', '-m', '1x'],
  ['-machine', 'q35', '-m', '1G,frob=1'],
  ['-global', 'nodot'],
  ['-global', 'a.b'],
  ['-global', 'driver=a,property=b'],
  ['-device', 'frob,help'],
  ['-object', 'frob,help'],
  ['-machine', 'q35', '-m', '2G', '-numa', 'node,mem=2G'],
  ['-machine', 'q35,memory-backend=nope'],
  ['-machine', 'q35', '-m', '2G', '-object', 'memory-backend-ram,id=m0,size=1G', '-numa', 'node,memdev=m0'],
  ['-machine', 'q35', '-m', '2G', '-object', 'memory-backend-ram,id=m0,size=2G', '-numa', 'node,nodeid=1,memdev=m0'],
  ['-machine', 'q35', '-m', '2G', '-object', 'memory-backend-ram,id=m0,size=1G', '-numa', 'node,memdev=m0', '-numa', 'node,memdev=m0'],
  ['-machine', 'q35,memory-backend=m0', '-m', '2G', '-object', 'memory-backend-ram,id=m0,size=1G'],
  ['-object', 'memory-backend-ram,help'],
  ['-object', 'memory-backend-memfd,help'],
  ['-object', 'memory-backend-file,help'],
  ['-object', 'memory-backend-ram,id=m0'],
  ['-object', 'memory-backend-ram,size=1G'],
  ['-object', 'memory-backend-ram,id=m0,size=0'],
  ['-object', 'memory-backend-ram,id=m0,size=1x'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,frob=1'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,policy=frob'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,prealloc=on,reserve=off'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,host-nodes=0'],
  // host-nodes' list syntax, as the options visitor words it (uint64 ranges, uint16 elements)
  ...['x', '-1', '1-x', '3-1', '', '70000'].map((nodes) => ['-object', `memory-backend-ram,id=m0,size=1G,policy=bind,host-nodes=${nodes}`]),
  ['-object', 'memory-backend-ram,id=m0,size=1G,policy=bind'],
  // mbind on a host whose only NUMA node is 0 (the conformance machine's, and the host model's
  // default); a backend that binds is followed by a device that fails once every object exists.
  ['-object', 'memory-backend-ram,id=m0,size=1G,host-nodes=1-3,policy=bind'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,host-nodes=1,policy=interleave'],
  ['-object', '{"qom-type":"memory-backend-ram","id":"m0","size":1073741824,"host-nodes":[1,2,3],"policy":"bind"}'],
  ['-object', '{"qom-type":"memory-backend-ram","id":"m0","size":1073741824,"host-nodes":[0,2],"policy":"bind"}', '-device', 'virtio-mem-pci,memdev=nope'],
  ['-object', 'memory-backend-ram,id=m0,size=1G,host-nodes=5,host-nodes=0,policy=bind', '-device', 'virtio-mem-pci,memdev=nope'],
  ['-object', 'memory-backend-ram,id=m0,size=1G', '-object', 'memory-backend-ram,id=m0,size=1G'],
  ['-object', 'memory-backend-file,id=m0,size=1G'],
  ['-machine', 'q35', '-m', '4G,maxmem=2T'],
  ['-object', 'frob,id=x'],
  ['-object', 'memory-backend,id=x'],
  ['-object', 'virtio-mem-pci,id=x'],
  // rom (8.2+) is checked when the file would be mapped, so the file need not exist.
  ['-object', 'memory-backend-file,id=m0,size=1G,mem-path=/tmp/hotmem-no-such-file,rom=on'],
  ['-object', 'memory-backend-file,id=m0,size=1G,mem-path=/tmp/hotmem-no-such-file,readonly=on,share=on,rom=off'],
  // Options beyond the modelled ones: each release's own table, and QemuOpts errors at the option.
  ['-name', 'foo,bar=1', '-no-acpi'],
  ['-name', 'foo,bar=1', '-audio-help'],
  ['-name', 'foo,bar=1', '-win2k-hack'],
  ['-name', 'foo,bar=1', '-async-teardown'],
  ['-name'],
  ['-name', 'foo,bar=1'],
  ['-name', 'guest=a,debug-threads=maybe'],
  ['-name', 'guest=QEMUGuest1,debug-threads=on', '-machine', 'frob'],
  ['-uuid', 'xyz'],
  ['-uuid', 'c7a5fdbd-edaf-9455-926a-d65c16db1809', '-machine', 'frob'],
  ['-smp', '2,sockets=x'],
  ['-smp', '2,frob=1'],
  ['-smp', '2,sockets=2,dies=1,clusters=1,cores=1,threads=1', '-machine', 'frob'],
  ['-boot', 'frob=1'],
  ['-boot', 'menu=x'],
  ['-boot', 'strict=on', '-machine', 'frob'],
  ['-rtc', 'base=frob'],
  ['-rtc', 'clock=frob'],
  ['-rtc', 'base=utc,driftfix=slew', '-machine', 'frob'],
  ['-sandbox', 'on,spawn=frob'],
  ['-overcommit', 'mem-lock=maybe'],
  ['-overcommit', 'mem-lock=off', '-machine', 'frob'],
  ['-chardev', 'frob,id=c0'],
  ['-chardev', 'socket,id=c0'],
  ['-chardev', 'null'],
  ['-chardev', 'null,id=0x'],
  ['-chardev', 'null,id=c0', '-chardev', 'null,id=c0'],
  ['-machine', 'frob', '-chardev', 'null,id=0x'],
  ['-chardev', 'null,id=c0,frob=1'],
  ['-chardev', 'socket,id=c0,path=/tmp/hotmem-conformance-mon.sock,server=on,wait=maybe'],
  ['-mon', 'chardev=nope'],
  ['-mon', 'mode=control'],
  ['-chardev', 'null,id=c0', '-mon', 'c0,mode=frob'],
  [
    '-chardev',
    'socket,id=charmonitor,path=/tmp/hotmem-conformance-mon.sock,server=on,wait=off',
    '-mon',
    'chardev=charmonitor,id=monitor,mode=control',
    '-machine',
    'frob',
  ],
  ['-msg', 'timestamp=on', '-machine', 'frob'],
  ['-machine', 'frob', '-msg', 'timestamp=on', '-chardev', 'null'],
  ['-msg', 'timestamp=maybe'],
  ['-no-shutdown', '-no-user-config', '-machine', 'frob'],
  ['-cpu', 'frob'],
  ['-object', 'monitor-qmp,id=m'],
  ['-object', 'monitor-qmp,id=m,chardev=nope'],
  ['-object', 'monitor-qmp,chardev=c'],
  ['-chardev', 'null,id=c', '-object', 'monitor-qmp,id=m,chardev=c,frob=1'],
  ['-chardev', 'socket,id=c,path=/tmp/hotmem-conformance-mon.sock,server=on,wait=off', '-object', 'monitor-qmp,id=m,chardev=c,pretty=on', '-machine', 'frob'],
  ['-cpu', 'frob', '-machine', 'frob'],
  ['-cpu', 'Cascadelake-Server-v5', '-machine', 'frob'],
  ['-cpu', 'qemu64', '-name', 'foo,bar=1'],
  // A file chardev opens its path, a client socket connects (/tmp is the roots' and this host's).
  ['-chardev', 'file,id=c,path=/tmp'],
  ['-chardev', 'file,id=c,path=/tmp/hotmem-conformance-no-such-dir/serial.log'],
  ['-chardev', 'file,id=c'],
  ['-chardev', 'socket,id=c,path=/tmp/hotmem-conformance-no-such.sock'],
  // JSON -device from 6.2 (5.2 reads it as QemuOpts, the driver ending at the first comma),
  // created after every QemuOpts -device.
  ['-device', '{"driver":"virtio-balloon-pci","id":"b0"}', '-device', 'frob'],
];

/**
 * Start-up failures with a QMP monitor on stdio: QEMU has greeted on stdout when the failure comes
 * from the board or a device, not when it comes from the options, -m or -object (before the
 * monitors exist). Failures in between (memory-backend=, NUMA) race the monitor's I/O thread in
 * real QEMU (greeted 1 to 4 times in 10 on each release here), so they are not compared. The
 * greeting's micro version and package name are the build's, not modelled.
 */
const QMP_STDIO_CASES: readonly (readonly string[])[] = [
  ['-machine', 'q35', '-m', '1G,maxmem=512M'],
  ['-object', 'memory-backend-ram,id=m0,size=0'],
  ['-machine', 'q35', '-m', '4G,maxmem=2T'],
  ['-machine', 'q35', '-device', 'virtio-mem-pci,memdev=nope'],
].map((args) => ['-qmp', 'stdio', ...args]);

/** -msg timestamp=on prints the wall-clock time, which no two runs share. */
const wallClock = (stderr: string): string => stderr.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z /gm, '<time> ');

const buildFacts = (stdout: string): string => stdout.replace(/"micro": \d+/, '"micro": 0').replace(/"package": "[^"]*"/, '"package": ""');

/**
 * Where hotmem still answers differently from a release, and why. Each is still compared: the test
 * fails once the two agree, so the entry gets removed with the fix.
 */
const KNOWN: readonly { readonly release: string; readonly args: string; readonly reason: string }[] = [];

/** qemu-system-s390x: the options whose arch_mask leaves s390x out. */
const S390X_CASES: readonly (readonly string[])[] = [
  // The same on s390x, where the JSON device finds no PCI bus once it is created.
  ['-device', '{"driver":"virtio-balloon-pci","id":"b0"}', '-device', 'frob'],
  ['-win2k-hack', '-name', 'foo,bar=1'],
  ['-smbios', 'type=0', '-name', 'foo,bar=1'],
  ['-name', 'foo,bar=1', '-no-acpi'],
  ['-chardev', 'null,id=c0', '-mon', 'c0,mode=frob'],
];

/** Long enough for any of these to exit with its error; a QEMU still up after it runs the machine. */
const RUNNING_AFTER_MS = 6_000;

describe('conformance: qemu-system-x86_64 arguments, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64', 'all')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const args of [...CASES, ...QMP_STDIO_CASES]) {
        const known = KNOWN.find((k) => k.release === q.release && k.args === args.join(' '));
        it(`${args.join(' ')}${known ? ' (known difference)' : ''}`, async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const real = await runQemu(q.binary, [...COMMON, ...args], { timeoutMs: RUNNING_AFTER_MS });

          const out: string[] = [];
          const err: string[] = [];
          const model = qemuBinary(new Map([['qemu-version', q.release]]));
          const outcome = runHotmem(model, [...COMMON, ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
          // A machine that keeps running is compared by its status and what it printed on stderr;
          // what its monitor says is the QMP conformance's business.
          const running = real.timedOut && outcome.kind === 'running';
          const actual = {
            status: outcome.kind === 'exited' ? outcome.status : 'running',
            stdout: running ? '' : buildFacts(out.join('')),
            stderr: wallClock(err.join('')),
          };
          const expected = { status: real.timedOut ? 'running' : real.code, stdout: running ? '' : buildFacts(real.stdout), stderr: wallClock(real.stderr) };
          if (known) assert.notDeepEqual(actual, expected, `QEMU ${q.release} and hotmem now agree: remove the known difference (${known.reason})`);
          else assert.deepEqual(actual, expected);
        });
      }
    });
  }
});

describe('conformance: qemu-system-s390x option targets, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('s390x', 'all')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const args of S390X_CASES) {
        it(args.join(' '), async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const real = await runQemu(q.binary, [...COMMON, ...args], { timeoutMs: RUNNING_AFTER_MS });
          const err: string[] = [];
          const model = qemuBinary(
            new Map([
              ['qemu-version', q.release],
              ['arch', 's390x'],
            ]),
          );
          const outcome = runHotmem(model, [...COMMON, ...args], { out: () => undefined, err: (t) => err.push(t) });
          assert.deepEqual(
            { status: outcome.kind === 'exited' ? outcome.status : 'running', stderr: err.join('') },
            { status: real.code, stderr: real.stderr },
          );
        });
      }
    });
  }
});
