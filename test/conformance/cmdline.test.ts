/**
 * The same QEMU arguments through the installed qemu-system-x86_64 and through `hotmem qemu` of
 * the same release: stdout, stderr and exit status must be identical. Only argument sets that
 * make QEMU exit on its own are listed (errors and help); running machines are compared over QMP.
 */
import { strict as assert } from 'node:assert';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { findQemuSystem, qemuVersion, runQemu } from './qemu.js';

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
  ['-object', 'memory-backend-ram,id=m0,size=1G,policy=bind'],
  ['-object', 'memory-backend-ram,id=m0,size=1G', '-object', 'memory-backend-ram,id=m0,size=1G'],
  ['-object', 'memory-backend-file,id=m0,size=1G'],
  ['-machine', 'q35', '-m', '4G,maxmem=2T'],
];

describe('conformance: qemu-system-x86_64 arguments', function () {
  this.timeout(60_000);
  const binary = findQemuSystem('x86_64');

  for (const args of CASES) {
    it(args.join(' '), async function () {
      if (binary === null) {
        console.log('      skipped: qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)');
        this.skip();
      }
      const version = await qemuVersion(binary);
      const real = await runQemu(binary, [...COMMON, ...args]);
      assert.equal(real.timedOut, false, 'QEMU did not exit: not an error case');

      const out: string[] = [];
      const err: string[] = [];
      const model = qemuBinary(new Map([['qemu-version', `${version.major}.${version.minor}`]]));
      const outcome = runHotmem(model, [...COMMON, ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
      assert.deepEqual(
        { status: outcome.kind === 'exited' ? outcome.status : 'running', stdout: out.join(''), stderr: err.join('') },
        { status: real.code, stdout: real.stdout, stderr: real.stderr },
      );
    });
  }
});
