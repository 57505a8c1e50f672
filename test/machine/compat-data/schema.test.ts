/**
 * compat/ passes its JSON schemas, and the schemas refuse the mistakes they exist to catch.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../../src/core/package-root.js';
import { compileSchemas } from '../../../src/machine/compat-data/read-documents.js';

const compatDir = join(packageRoot(), 'compat');
const validators = compileSchemas(compatDir);
type Kind = keyof typeof validators;

const read = (file: string): unknown => parse(readFileSync(join(compatDir, file), 'utf8'));
const files: readonly (readonly [string, Kind])[] = [
  ['releases.yaml', 'releases'],
  ['build-features.yaml', 'build-features'],
  ...readdirSync(join(compatDir, 'arrays')).map((f) => [`arrays/${f}`, 'arrays'] as const),
  ...readdirSync(join(compatDir, 'machines')).map((f) => [`machines/${f}`, 'machines'] as const),
];

const arrayDoc = (entry: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  source: 'hw/core/machine.c',
  arrays: { hw_compat_7_2: { machineVersion: '7.2', since: '8.0', ...extra, entries: [entry] } },
});
const goodEntry = { driver: 'virtio-mem', property: 'x-early-migration', value: 'false' };
const machinesDoc = (machine: Record<string, unknown>) => ({ arch: 'x86_64', series: [], machines: [machine] });
const feature = (extra: Record<string, unknown>) => ({ features: [{ name: 'XEN', arch: 'x86_64', about: 'xen machines', ...extra }] });

const rejected: readonly (readonly [string, Kind, unknown])[] = [
  ['a value that is not a string', 'arrays', arrayDoc({ ...goodEntry, value: false })],
  ['an unknown entry key', 'arrays', arrayDoc({ ...goodEntry, default: 'x' })],
  ['optional: false (absent means not optional)', 'arrays', arrayDoc({ ...goodEntry, optional: false })],
  ['a release with a micro', 'arrays', arrayDoc(goodEntry, { since: '8.0.0' })],
  ['a driver with a space', 'arrays', arrayDoc({ ...goodEntry, driver: 'virtio mem' })],
  ['an array name that is not C', 'arrays', { source: 'hw/core/machine.c', arrays: { 'hw-compat': { since: '8.0', entries: [] } } }],
  ['a requirement window without bounds', 'machines', machinesDoc({ name: 'none', desc: 'empty machine', since: '5.1', requires: [{ feature: 'XEN' }] })],
  [
    'a family on a machine based on a series',
    'machines',
    machinesDoc({ name: 'xenfv-3.1', desc: 'x', since: '5.1', family: 'pc_piix', basedOn: { series: 'pc-i440fx', version: '3.1' } }),
  ],
  ['an arch hotmem does not model', 'machines', { arch: 'aarch64', series: [], machines: [] }],
  ['an auto feature without its condition', 'build-features', feature({ default: 'auto' })],
  ['an on feature with a condition', 'build-features', feature({ default: 'on', when: 'always' })],
  [
    'an unknown deletion mode',
    'releases',
    {
      releases: [{ version: '9.1', commit: 'fd1952d814' }],
      machineLifecycle: [{ since: '9.1', deprecationYears: 3, deletionYears: 6, deletion: 'sometimes', deprecationReason: 'old' }],
    },
  ],
];

describe('machine/compat-data: schemas', () => {
  for (const [file, kind] of files) {
    it(`compat/${file} passes the ${kind} schema`, () => {
      const validate = validators[kind];
      assert.ok(validate(read(file)), JSON.stringify(validate.errors));
    });
  }

  it('the positive examples below pass, so each rejection is about its one change', () => {
    assert.ok(validators.arrays(arrayDoc(goodEntry)));
    assert.ok(validators.arrays(arrayDoc({ ...goodEntry, optional: true, since: '8.1' })));
    assert.ok(validators['build-features'](feature({ default: 'auto', when: 'xen libraries' })));
    assert.ok(validators.machines(machinesDoc({ name: 'none', desc: 'empty machine', since: '5.1', requires: [{ feature: 'XEN', since: '7.0' }] })));
  });

  for (const [what, kind, doc] of rejected) {
    it(`the ${kind} schema rejects ${what}`, () => {
      assert.equal(validators[kind](doc), false);
    });
  }
});
