/** hotmem machines: which build it lists (Debian's where recorded, --build upstream) and its refusals. */
import { strict as assert } from 'node:assert';
import { runCli } from '../../src/cli/app.js';

async function machines(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(['machines', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const XENFV = /^xenfv-4\.2 {12}Xen Fully-virtualized PC$/m;

describe('cli: hotmem machines', () => {
  const CASES: readonly { readonly args: readonly string[]; readonly xen: boolean }[] = [
    // Debian bullseye's 5.2 is built with Xen; a plain ./configure without the Xen libraries is not.
    { args: ['--qemu-version', '5.2'], xen: true },
    { args: ['--qemu-version', '5.2', '--build', 'debian'], xen: true },
    { args: ['--qemu-version', '5.2', '--build', 'upstream'], xen: false },
    { args: ['--qemu-version', '7.2'], xen: false },
    // No Debian build of 8.0 is recorded: the default is upstream's.
    { args: ['--qemu-version', '8.0'], xen: false },
  ];
  for (const { args, xen } of CASES) {
    it(`${args.join(' ')} ${xen ? 'lists' : 'does not list'} the xenfv machines`, async () => {
      const run = await machines(...args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(XENFV.test(run.stdout), xen);
    });
  }

  it('words s390x machines as the release did', async () => {
    assert.match(
      (await machines('--qemu-version', '5.2', '--arch', 's390x')).stdout,
      /^s390-ccw-virtio-5\.2 {2}VirtIO-ccw based S390 machine v5\.2 \(default\)$/m,
    );
    assert.match(
      (await machines('--qemu-version', '7.2', '--arch', 's390x')).stdout,
      /^s390-ccw-virtio-7\.2 {2}Virtual s390x machine \(version 7\.2\) \(default\)$/m,
    );
  });

  it('refuses a Debian build it has no record of, naming the release', async () => {
    const run = await machines('--qemu-version', '8.0', '--build', 'debian');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^hotmem machines: --build debian: hotmem has no record of Debian's build of QEMU 8\.0 \(it has 5\.2, 7\.2, 10\.0, 11\.1\)/);
  });
});
