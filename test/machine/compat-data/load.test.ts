/**
 * Loading compat/: from the package root whatever the current directory, once per root, and
 * refusing data whose cross references the schemas cannot check.
 */
import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHotmemError } from '../../../src/core/errors.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { CompatData, loadCompatData, readCompatDocuments } from '../../../src/machine/compat-data/index.js';
import type { CompatDocuments } from '../../../src/machine/compat-data/documents.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment -- each case breaks a deep copy of the document at an arbitrary path; typing every path would restate the schema */
/** The documents, deep-copied and writable: each case breaks one thing at an arbitrary path. */
type Writable = any;
const documents = readCompatDocuments(join(packageRoot(), 'compat'));
const broken = (change: (docs: Writable) => void): CompatDocuments => {
  const copy = structuredClone(documents) as Writable;
  change(copy);
  return copy as CompatDocuments;
};
const arraysFile = (docs: Writable, file: string): Writable => docs.arrays.find((a: Writable) => a.file === file).doc;
const x86 = (docs: Writable): Writable => docs.machines.find((m: Writable) => m.doc.arch === 'x86_64').doc;
const series = (docs: Writable, id: string): Writable => x86(docs).series.find((s: Writable) => s.id === id);
const version = (docs: Writable, id: string, v: string): Writable => series(docs, id).versions.find((x: Writable) => x.version === v);
const ccw = (docs: Writable): Writable => docs.machines.find((m: Writable) => m.doc.arch === 's390x').doc.series[0];
const debian = (docs: Writable, release: string): Writable => docs.buildFeatures.builds.find((b: Writable) => b.release === release);

const cases: readonly (readonly [string, (docs: Writable) => void, RegExp])[] = [
  [
    'an array a version names but nobody defines',
    (d) => version(d, 'pc-q35', '10.1').compat.push('hw_compat_0_1'),
    /pc-q35 10\.1: no compat array hw_compat_0_1/,
  ],
  [
    'an array defined in two files',
    (d) => (arraysFile(d, 'compat/arrays/pc_q35.yaml').arrays.hw_compat_7_2 = { since: '8.0', entries: [] }),
    /array hw_compat_7_2 is defined twice/,
  ],
  [
    'an entry outside its array window',
    (d) => (arraysFile(d, 'compat/arrays/hw_compat.yaml').arrays.hw_compat_7_2.entries[0].since = '7.2'),
    /hw_compat_7_2\[0\]: window reaches outside 8\.0 to now/,
  ],
  ['a release that is not modelled', (d) => (version(d, 'pc-q35', '10.2').since = '10.3'), /pc-q35 10\.2: 10\.3 is not a modelled release/],
  ['an empty window', (d) => (version(d, 'pc-q35', '10.2').until = '10.2'), /pc-q35 10\.2: empty window 10\.2 to 10\.2/],
  ['a build feature of the other arch', (d) => series(d, 'pc-q35').requires.push('S390_CCW_VIRTIO'), /pc-q35: no x86_64 build feature S390_CCW_VIRTIO/],
  [
    'a machine based on a missing version',
    (d) => (x86(d).machines.find((m: Writable) => m.name === 'xenfv-3.1').basedOn.version = '3.3'),
    /xenfv-3\.1 is based on pc-i440fx 3\.3, which is not in the data/,
  ],
  [
    'an alias two machines answer to',
    (d) => (x86(d).machines.find((m: Writable) => m.name === 'xenfv-3.1').alias = 'pc'),
    /QEMU 5\.1: machine name or alias pc appears twice/,
  ],
  ['two defaults', (d) => (series(d, 'pc-q35').latest.isDefault = true), /QEMU 5\.1 has more than one default machine/],
  ['releases out of order', (d) => d.releases.releases.reverse(), /releases are not in increasing order/],
  ['a release no desc window covers', (d) => (ccw(d).desc[1].since = '7.2'), /s390-ccw-virtio: 0 desc windows cover QEMU 7\.1, which needs exactly one/],
  ['two desc windows for one release', (d) => delete ccw(d).desc[0].until, /s390-ccw-virtio: 2 desc windows cover QEMU 7\.1, which needs exactly one/],
  ['a Debian build of an unmodelled release', (d) => (debian(d, '7.2').release = '7.3'), /build debian 7\.3: 7\.3 is not a modelled release/],
  ['a Debian build recorded twice', (d) => (debian(d, '7.2').release = '5.2'), /build debian 5\.2 appears twice/],
  [
    'a Debian build with a feature of the other arch',
    (d) => debian(d, '5.2').x86_64.push('S390_CCW_VIRTIO'),
    /build debian 5\.2: no x86_64 build feature S390_CCW_VIRTIO/,
  ],
  ['overlapping lifecycle rules', (d) => delete d.releases.machineLifecycle[0].until, /two machineLifecycle rules cover 10\.1/],
];

describe('machine/compat-data: loading', () => {
  it('finds compat/ from the package root, whatever the current directory', () => {
    const cwd = process.cwd();
    const root = packageRoot();
    try {
      process.chdir(tmpdir());
      assert.equal(packageRoot(), root);
      assert.equal(readCompatDocuments(join(packageRoot(), 'compat')).releases.releases.length, documents.releases.releases.length);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads the data once per package root', () => {
    assert.equal(loadCompatData(), loadCompatData(packageRoot()));
  });

  it('accepts the documents as they are', () => {
    assert.doesNotThrow(() => new CompatData(documents));
  });

  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => new CompatData(broken(change)),
        (e: unknown) => isHotmemError(e, 'compat.invalid-data') && message.test(e.message),
      );
    });
  }
});
