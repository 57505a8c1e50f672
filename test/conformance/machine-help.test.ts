/**
 * `-machine help` of the installed qemu-system-x86_64 and qemu-system-s390x (Debian's packages
 * qemu-system-x86 and qemu-system-misc give QEMU 7.2) against hotmem's listing for the same
 * release and the same build features, byte for byte.
 */
import { strict as assert } from 'node:assert';
import { ARCHES } from '../../src/core/arch.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { probeBuildConfig } from './qemu-build-config.js';
import { findQemuSystem, qemuVersion, runQemu } from './qemu.js';

const DEBIAN_PACKAGE = { x86_64: 'qemu-system-x86', s390x: 'qemu-system-misc' } as const;

describe('conformance: -machine help', function () {
  this.timeout(60_000);
  const data = loadCompatData();

  for (const arch of ARCHES) {
    it(`qemu-system-${arch} -machine help equals hotmem's listing for its release and build`, async function () {
      const binary = findQemuSystem(arch);
      if (binary === null) {
        console.log(`      skipped: qemu-system-${arch} is not installed (Debian: apt-get install ${DEBIAN_PACKAGE[arch]})`);
        this.skip();
      }
      const version = await qemuVersion(binary);
      const release = `${version.major}.${version.minor}`;
      if (!data.releases().some((r) => r.version === release)) {
        console.log(`      skipped: ${binary} is QEMU ${release}, which hotmem does not model`);
        this.skip();
      }
      const build = await probeBuildConfig(binary, arch, data);
      const real = await runQemu(binary, ['-machine', 'help']);

      assert.equal(real.code, 0, real.stderr);
      assert.equal(real.stderr, '');
      assert.equal(data.formatMachineHelp(release, arch, build, process.env), real.stdout);
    });
  }
});
