/**
 * `-machine help` of each Debian release's real qemu-system-x86_64 and qemu-system-s390x against
 * `hotmem machines --qemu-version X.Y --arch A`, byte for byte; and the build switches hotmem
 * records for that Debian build (compat/build-features.yaml) against the ones the binary was
 * built with (probed over QMP), so the listing is not checked against itself.
 */
import { strict as assert } from 'node:assert';
import { ARCHES } from '../../src/core/arch.js';
import { runCli } from '../../src/cli/app.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { probeBuildConfig } from './qemu-build-config.js';
import { runQemu } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

describe('conformance: -machine help of every Debian release', function () {
  this.timeout(60_000);
  const data = loadCompatData();

  for (const arch of ARCHES) {
    for (const q of realQemus(arch)) {
      describe(`QEMU ${q.release} (${q.suite}) qemu-system-${arch}`, () => {
        it('was built with the switches compat/build-features.yaml records for it', async function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const probed = await probeBuildConfig(q.binary, arch, data);
          const recorded = data.distributionBuild('debian', q.release, arch);
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
          assert.deepEqual({ status, stdout: out.join(''), stderr: err.join('') }, { status: 0, stdout: real.stdout, stderr: '' });
        });
      });
    }
  }
});
