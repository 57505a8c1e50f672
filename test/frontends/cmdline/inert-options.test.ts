import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { runQemu } from '../../../src/frontends/cmdline/qemu.js';

function run(version: string, argv: readonly string[], arch: 'x86_64' | 's390x' = 'x86_64') {
  const err: string[] = [];
  const binary = qemuBinary(
    new Map([
      ['qemu-version', version],
      ['arch', arch],
    ]),
  );
  const outcome = runQemu(binary, ['-display', 'none', '-nodefaults', '-S', ...argv], { out: () => undefined, err: (t) => err.push(t) });
  return { status: outcome.kind === 'exited' ? outcome.status : 'running', err: err.join('') };
}

const prog = (arch = 'x86_64') => `qemu-system-${arch}: `;

describe('frontends/cmdline/inert-options', () => {
  const CASES: readonly {
    readonly version: string;
    readonly arch?: 'x86_64' | 's390x';
    readonly argv: readonly string[];
    readonly err?: string;
    readonly running?: true;
  }[] = [
    { version: '10.0', argv: ['-cpu', 'max'] },
    // Under KVM: TCG would add the feature warnings of compat/cpus/ (test/machine/cpu-data).
    { version: '5.2', argv: ['-accel', 'kvm', '-cpu', 'Cascadelake-Server-v4'] },
    { version: '5.2', argv: ['-cpu', 'Cascadelake-Server-v5'], err: "unable to find CPU model 'Cascadelake-Server-v5'\n" },
    { version: '11.1', argv: ['-cpu', 'z14'], err: "unable to find CPU model 'z14'\n" },
    { version: '11.1', arch: 's390x', argv: ['-accel', 'kvm', '-cpu', 'z14'] },
    { version: '10.0', argv: ['-cpu', 'frob', '-machine', 'frob'], err: 'unsupported machine type: "frob"\nUse -machine help to list supported machines\n' },
    { version: '10.0', argv: ['-cpu', 'qemu64,phys-bits=40'] },
    // Feature flags: globals of the CPU type, then the legacy lists at realize (x86-features.ts).
    { version: '10.0', argv: ['-cpu', 'qemu64,pdpe1gb=on'] },
    { version: '7.2', argv: ['-cpu', 'qemu64,x2apic'], err: "warning: TCG doesn't support requested feature: CPUID.01H:ECX.x2apic [bit 21]\n", running: true },
    { version: '10.0', argv: ['-cpu', 'qemu64,x2apic'] },
    { version: '10.0', argv: ['-cpu', 'qemu64,+frob'], err: "Property 'qemu64-x86_64-cpu.frob' not found\n" },
    { version: '10.0', argv: ['-cpu', 'qemu64,frob'], err: "can't apply global qemu64-x86_64-cpu.frob=on: Property 'qemu64-x86_64-cpu.frob' not found\n" },
    {
      version: '5.2',
      argv: ['-cpu', 'qemu64,x2apic=maybe'],
      err: "can't apply global qemu64-x86_64-cpu.x2apic=maybe: Parameter 'x2apic' expects 'on' or 'off'\n",
    },
    { version: '11.1', argv: ['-cpu', 'qemu64,tsc-freq=abc'], err: 'bad numerical value abc\n' },
    {
      version: '11.1',
      argv: ['-cpu', 'qemu64,+avx512f,enforce=on'],
      err: "warning: TCG doesn't support requested feature: CPUID[eax=07h,ecx=00h].EBX.avx512f [bit 16]\nqemu-system-x86_64: TCG doesn't support requested features\n",
    },
    {
      version: '10.0',
      arch: 's390x',
      argv: ['-cpu', 'qemu,phys-bits=40'],
      err: "-cpu qemu,phys-bits=40: hotmem does not model the CPU property 'phys-bits' (-cpu qemu,phys-bits=40)\n",
    },
    { version: '10.0', argv: ['-cpu', 'help'], err: '-cpu help: hotmem prints no help for -cpu\n' },
    {
      version: '10.0',
      argv: ['-uuid', 'c7a5fdbd-edaf-9455-926a-d65c16db180'],
      err: '-uuid c7a5fdbd-edaf-9455-926a-d65c16db180: failed to parse UUID string: wrong format\n',
    },
    { version: '10.0', argv: ['-audiodev', '{"id":"audio1","driver":"none"}'] },
    { version: '5.2', argv: ['-audiodev', 'none,id=audio1'] },
    { version: '10.0', argv: ['-audiodev', 'none'], err: "-audiodev none: Parameter 'id' is missing\n" },
    { version: '10.0', argv: ['-audiodev', 'pa,id=a'], err: '-audiodev pa,id=a: hotmem models the audiodev driver none only (got "pa")\n' },
    { version: '10.0', argv: ['-audiodev', '{"id":'], err: '-audiodev {"id":: JSON parse error, Unexpected end of JSON input\n' },
    { version: '10.0', argv: ['-chardev', 'pty,id=charserial0', '-serial', 'chardev:charserial0'] },
    { version: '10.0', argv: ['-serial', 'none', '-parallel', 'none'] },
    {
      version: '10.0',
      argv: ['-serial', 'chardev:nope'],
      err: '-serial chardev:nope: hotmem models -serial none or chardev:ID of a -chardev before it only\n',
    },
    { version: '10.0', argv: ['-vga', 'none'] },
    { version: '10.0', argv: ['-vga', 'qxl'], err: "-vga qxl: hotmem models -vga std or none only (got 'qxl')\n" },
    { version: '10.0', argv: ['-kernel', '/boot/vmlinuz', '-initrd', '/boot/initrd.img', '-append', 'console=ttyS0'] },
    { version: '10.0', argv: ['-object', '{"qom-type":"memory-backend-ram","id":"m0","size":1073741824,"reserve":false}'] },
    {
      version: '10.0',
      argv: ['-object', '{"qom-type":"memory-backend-ram","id":"m0","size":{}}'],
      err: '-object {"qom-type":"memory-backend-ram","id":"m0","size":{}}: hotmem does not model the JSON value of \'size\' ({})\n',
    },
    { version: '7.2', argv: ['-rtc', 'base=utc', '-rtc', 'driftfix=frob'], err: "invalid option value 'frob'\n" },
    { version: '5.2', argv: ['-boot', 'menu=x'], err: "-boot menu=x: Parameter 'menu' expects 'on' or 'off'\n" },
    { version: '7.2', argv: ['-boot', 'menu=x'], err: "Parameter 'boot.menu' expects 'on' or 'off'\n" },
    { version: '7.2', argv: ['-smp', '2,frob=1'], err: "Parameter 'smp.frob' is unexpected\n" },
  ];
  for (const c of CASES) {
    it(`${c.argv.join(' ')} (${c.version}${c.arch ? ` ${c.arch}` : ''}): ${c.err === undefined ? 'runs' : c.err.split('\n')[0]!}`, () => {
      const expected = c.err === undefined ? { status: 'running', err: '' } : { status: c.running ? 'running' : 1, err: prog(c.arch) + c.err };
      assert.deepEqual(run(c.version, c.argv, c.arch), expected);
    });
  }
});
