/**
 * What realizing a -cpu model prints under TCG, through each Debian release's real QEMU and
 * `hotmem qemu` of that release (compat/cpus/, from scripts/cpu-data.ts): x86's "TCG doesn't
 * support requested feature" warnings, `host` needing KVM, s390x's unavailable-feature refusal
 * with its hint, and how they sit among the other start-up lines (a deprecated machine type's
 * warning first; x86 before its memory checks, s390x after). Compared: stderr and whether
 * start-up ends, the real binary quit over QMP once it is up.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { requireModelled } from './modelled-release.js';
import { realStartup } from './qemu.js';
import { hotmemStartup } from './transcripts.js';
import { realQemus, requireReal } from './real-qemu.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S', '-accel', 'tcg'];

const CASES: Readonly<Record<Arch, readonly string[]>> = {
  x86_64: [
    '-cpu host',
    '-cpu Skylake-Server',
    '-cpu Skylake-Server-v4',
    '-cpu EPYC',
    '-cpu Cascadelake-Server -machine pc-q35-6.2',
    '-cpu Icelake-Server -m 1G,maxmem=2T',
    '-cpu max',
    '-cpu qemu64',
    '-cpu Denverton',
    '-cpu GraniteRapids',
  ],
  s390x: ['-cpu z14', '-cpu z900', '-cpu qemu', '-cpu max', '-cpu gen16a', '-cpu z13.2', '-cpu z14 -m 1000M'],
};

describe('conformance: -cpu models under TCG, every Debian release', function () {
  this.timeout(60_000);
  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch)) {
      describe(`qemu-system-${arch} ${q.release} (${q.suite})`, () => {
        for (const line of CASES[arch]) {
          it(line, function () {
            requireReal(this, q);
            requireModelled(this, q.release);
            const args = [...COMMON, ...line.split(' ')];
            const real = realStartup(q.binary, args);
            assert.deepEqual(hotmemStartup(q.release, args, arch), real);
          });
        }
      });
    }
  }
});
