/**
 * The build's per-release images answer every query as the YAML does, and are used only while
 * compat/ is as it was when they were built.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHES } from '../../../src/core/arch.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { CompatData, readCompatDocuments } from '../../../src/machine/compat-data/index.js';
import { freshImageIndex, readImage, writeImages } from '../../../src/machine/compat-data/image.js';

const documents = readCompatDocuments(join(packageRoot(), 'compat'));
const whole = new CompatData(documents);

/** A package root of its own (compat/ copied, dist/compat written there), so the real build's images stay untouched. */
function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'hotmem-images-'));
  cpSync(join(packageRoot(), 'compat'), join(root, 'compat'), { recursive: true });
  symlinkSync(join(packageRoot(), 'src'), join(root, 'src'));
  writeFileSync(join(root, 'package.json'), '{}');
  return root;
}

describe('machine/compat-data: per-release images', () => {
  const root = scratchRoot();
  after(() => rmSync(root, { recursive: true, force: true }));
  const index = writeImages(root, documents);
  const fromImages = new CompatData({ images: index.releases, read: (release) => readImage(root, release) });

  it('lists the releases and build features the YAML does', () => {
    assert.deepEqual(fromImages.releases(), whole.releases());
    for (const arch of ARCHES) assert.deepEqual(fromImages.buildFeatures(arch), whole.buildFeatures(arch));
  });

  for (const { version } of whole.releases()) {
    it(`answers for QEMU ${version} as the YAML does (machine types, help, compat arrays and entries)`, () => {
      assert.deepEqual(fromImages.compatArrays(version), whole.compatArrays(version));
      for (const arch of ARCHES) {
        for (const env of [{}, { QEMU_DELETE_MACHINES: '' }]) {
          assert.deepEqual(fromImages.machineTypes(version, arch, undefined, env), whole.machineTypes(version, arch, undefined, env));
          const build = whole.defaultBuildConfig(arch);
          assert.equal(fromImages.formatMachineHelp(version, arch, build, env), whole.formatMachineHelp(version, arch, build, env));
          for (const machine of whole.machineTypes(version, arch, undefined, env)) {
            assert.deepEqual(fromImages.compatEntries(version, arch, machine.name, env), whole.compatEntries(version, arch, machine.name, env));
          }
        }
      }
    });
  }

  it("reads only the image of the release asked about: a command about 10.0 reads 10.0's", () => {
    const read: string[] = [];
    const data = new CompatData({
      images: index.releases,
      read: (release) => {
        read.push(release);
        return readImage(root, release);
      },
    });
    assert.equal(data.isModelled('10.0'), true);
    assert.equal(data.isModelled('0.1'), false);
    assert.deepEqual(read, []);
    assert.equal(data.resolveMachineType('10.0', 'x86_64', 'q35')?.name, whole.resolveMachineType('10.0', 'x86_64', 'q35')?.name);
    assert.deepEqual(data.distributionBuild('debian', '10.0', 'x86_64'), whole.distributionBuild('debian', '10.0', 'x86_64'));
    assert.deepEqual(data.releases(), whole.releases());
    assert.deepEqual(read, ['10.0']);
  });

  it('holds for one release only what that release has', () => {
    const newest = index.releases.at(-1)!;
    const oldest = index.releases[0]!;
    const entries = (docs: ReturnType<typeof readImage>) => docs.arrays.flatMap((a) => Object.values(a.doc.arrays)).reduce((n, a) => n + a.entries.length, 0);
    assert.ok(entries(readImage(root, newest)) < entries(documents), 'the newest release has fewer entries than all releases together');
    assert.ok(entries(readImage(root, oldest)) < entries(documents));
  });

  it('is fresh as built, stale once a file in compat/ changes, is added or goes', () => {
    assert.deepEqual(freshImageIndex(root), index);
    const releases = join(root, 'compat', 'releases.yaml');
    utimesSync(releases, new Date(), new Date(Date.now() + 5000));
    assert.equal(freshImageIndex(root), undefined, 'an edited file');
    writeImages(root, documents);
    writeFileSync(join(root, 'compat', 'arrays', 'extra.yaml'), 'source: x\narrays: {}\n');
    assert.equal(freshImageIndex(root), undefined, 'an added file');
    writeImages(root, documents);
    rmSync(join(root, 'compat', 'arrays', 'extra.yaml'));
    assert.equal(freshImageIndex(root), undefined, 'a removed file');
  });

  it('is absent where no build wrote images', () => {
    const bare = scratchRoot();
    try {
      assert.equal(freshImageIndex(bare), undefined);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
