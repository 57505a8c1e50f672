/**
 * `-machine help` of each release's real qemu-system-x86_64 and qemu-system-s390x against
 * `hotmem machines --qemu-version X.Y --arch A`, byte for byte; and the build switches hotmem
 * models for that release (compat/build-features.yaml: Debian's build, else a plain ./configure)
 * against the ones the binary was built with (probed over QMP), so the listing is not checked
 * against itself.
 *
 * Ubuntu's 11.0 adds machine types of its own (Ubuntu's patches: `pc-q35-noble`, `ubuntu`,
 * `s390-ccw-virtio-stonking`, ...), one of which is its default and takes the s390-ccw-virtio
 * alias. hotmem models upstream's machine types, so for that oracle Ubuntu's lines are left out
 * of QEMU's listing and the default and that alias out of hotmem's; every other line must agree.
 */
import { strict as assert } from 'node:assert';
import { ARCHES } from '../../src/core/arch.js';
import { runCli } from '../../src/cli/app.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { probeBuildConfig } from './qemu-build-config.js';
import { runQemu } from './qemu.js';
import { isUbuntu, realQemus, requireReal, type RealQemu } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

/** Ubuntu's own machine types: a codename where upstream has a version, and Ubuntu's aliases. */
const UBUNTU_MACHINE = /^(?:ubuntu\S*|pc-(?:i440fx|q35)-[a-z]\S*|s390-ccw-virtio-[a-z]\S*)\s|\(alias of s390-ccw-virtio-[a-z]/;

/** The two listings as compared: whole, or without Ubuntu's machine types and the marks they move. */
function compared(q: RealQemu, real: string, modelled: string): { readonly real: string; readonly modelled: string } {
  if (!isUbuntu(q)) return { real, modelled };
  const lines = (text: string): string[] => text.split(/(?<=\n)/);
  return {
    real: lines(real)
      .filter((l) => !UBUNTU_MACHINE.test(l))
      .join(''),
    modelled: lines(modelled)
      .filter((l) => !/^s390-ccw-virtio\s.*\(alias of /.test(l))
      .map((l) => l.replace(' (default)\n', '\n'))
      .join(''),
  };
}

describe('conformance: -machine help of every release', function () {
  this.timeout(60_000);
  const data = loadCompatData();

  for (const arch of ARCHES) {
    for (const q of realQemus(arch, 'all')) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        it('was built with the switches compat/build-features.yaml records for it', async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const probed = await probeBuildConfig(q.binary, arch, data);
          const recorded = data.distributionBuild('debian', q.release, arch) ?? (isUbuntu(q) ? data.defaultBuildConfig(arch) : undefined);
          assert.deepEqual([...(recorded?.features ?? [])].sort(), [...probed.features].sort());
        });

        it('-machine help equals hotmem machines', async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const real = await runQemu(q.binary, ['-machine', 'help']);
          assert.equal(real.code, 0, real.stderr);
          assert.equal(real.stderr, '');
          const out: string[] = [];
          const err: string[] = [];
          const status = await runCli(['machines', '--qemu-version', q.release, '--arch', arch], { out: (t) => out.push(t), err: (t) => err.push(t) });
          const listings = compared(q, real.stdout, out.join(''));
          assert.deepEqual({ status, stdout: listings.modelled, stderr: err.join('') }, { status: 0, stdout: listings.real, stderr: '' });
        });
      });
    }
  }
});
