/** `hotmem compat diff`: the three output formats, one machine type across releases, and usage errors. */
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/app.js';

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join(''), err: err.join('') };
}

describe('cli: compat diff', () => {
  const Q35 = ['compat', 'diff', 'pc-q35-6.2', 'pc-q35-7.0', '--qemu-version', '7.2'];

  it('prints a table of the properties the two machine types set differently', async () => {
    assert.deepEqual(await cli(Q35), {
      status: 0,
      out: [
        'driver      property                  pc-q35-6.2  pc-q35-7.0',
        'PIIX4_PM    x-not-migrate-acpi-index  on          (default)',
        'virtio-mem  unplugged-inaccessible    off         auto',
        '',
      ].join('\n'),
      err: '',
    });
  });

  it('prints JSON, with null where --raw finds no compat entry', async () => {
    const { status, out } = await cli([...Q35, '--format', 'json', '--raw']);
    assert.equal(status, 0);
    assert.deepEqual(JSON.parse(out), [
      { driver: 'PIIX4_PM', property: 'x-not-migrate-acpi-index', values: { 'pc-q35-6.2': 'on', 'pc-q35-7.0': null } },
      { driver: 'virtio-mem', property: 'unplugged-inaccessible', values: { 'pc-q35-6.2': 'off', 'pc-q35-7.0': null } },
    ]);
  });

  it('prints CSV', async () => {
    const { status, out } = await cli([...Q35, '--format', 'csv', '--raw']);
    assert.equal(status, 0);
    assert.equal(out, 'driver,property,pc-q35-6.2,pc-q35-7.0\nPIIX4_PM,x-not-migrate-acpi-index,on,-\nvirtio-mem,unplugged-inaccessible,off,-\n');
  });

  it('compares one machine type on two releases with NAME@X.Y', async () => {
    const { status, out } = await cli(['compat', 'diff', 'pc-q35-7.2@7.2', 'pc-q35-7.2@8.1', '--raw']);
    assert.equal(status, 0);
    assert.match(out, /^virtio-mem +x-early-migration +- +false$/m);
  });

  const USAGE: ReadonlyArray<readonly [string[], RegExp]> = [
    [['compat', 'diff', 'pc-q35-7.2'], /^hotmem compat: expects: compat diff A B\n/],
    [['compat', 'frob', 'a', 'b'], /^hotmem compat: expects: compat diff A B\n/],
    [['compat', 'diff', 'pc-q35-frob', 'pc-q35-7.0', '--qemu-version', '7.2'], /^hotmem compat: 'pc-q35-frob' is not a machine type of QEMU 7\.2 \(x86_64\)\n/],
    [['compat', 'diff', 'pc-q35-8.0@7.2', 'pc-q35-7.0'], /^hotmem compat: 'pc-q35-8\.0' is not a machine type of QEMU 7\.2 \(x86_64\)\n/],
  ];
  for (const [argv, message] of USAGE) {
    it(`hotmem ${argv.join(' ')} is a usage error`, async () => {
      const { status, out, err } = await cli(argv);
      assert.deepEqual([status, out], [2, '']);
      assert.match(err, message);
    });
  }
});
