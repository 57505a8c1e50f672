/**
 * What realizing a -cpu model prints under TCG, through each Debian release's real QEMU and
 * `hotmem qemu` of that release (compat/cpus/, from scripts/cpu-data.ts): x86's "TCG doesn't
 * support requested feature" warnings, `host` needing KVM, s390x's unavailable-feature refusal
 * with its hint, and how they sit among the other start-up lines (a deprecated machine type's
 * warning first; x86 before its memory checks, s390x after). Compared: stderr and whether
 * start-up ends, the real binary quit over QMP once it is up. On x86_64 also -cpu's feature
 * flags (x86-features.ts): the warnings and errors of each syntax, and what qom-get answers for
 * a vCPU's flags and their aliases once TCG has filtered them.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { requireModelled } from './modelled-release.js';
import { realStartup } from './qemu.js';
import { hotmemStartup } from './transcripts.js';
import { realQemus, requireReal } from './real-qemu.js';
import { describeTranscripts, type Step } from './transcripts.js';

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
    // Feature flags: the legacy and property syntaxes, their mix, unknown names, bad values.
    '-cpu qemu64,+avx512f,-x2apic,pmu=off,vmx=on',
    '-cpu qemu64,+x2apic,x2apic=off',
    '-cpu qemu64,-x2apic,x2apic=on',
    '-cpu qemu64,x2apic',
    '-cpu qemu64,sse4_1=off,+sse4_2,sse3=off,xd=off',
    '-cpu qemu64,+frob',
    '-cpu qemu64,-frob',
    '-cpu qemu64,frob=on',
    '-cpu qemu64,x2apic=maybe',
    '-cpu qemu64,tsc-freq=abc',
    '-cpu qemu64,tsc-freq=2.5G',
    '-cpu qemu64,+avx512f,enforce=on',
    '-cpu Icelake-Server,check=off',
    '-cpu host,migratable=on',
    '-cpu max,-x2apic',
    '-cpu Skylake-Server,-vmx',
    '-cpu EPYC,+svm,npt=on',
    '-cpu qemu64,+vmx-exit-nosave-debugctl',
    '-cpu Skylake-Server-v4,-arch-capabilities,+mds-no',
    '-cpu GraniteRapids,-avx512f',
    '-cpu qemu64,+la57 -m 1G,maxmem=2T',
    '-cpu qemu64,phys-bits=39',
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

const FLAGS = ['avx512f', 'x2apic', 'sse4.1', 'sse4_1', 'pni', 'sse3', 'vmx', 'vmx-ept', 'svm', 'npt', 'la57', 'lm', 'arch-capabilities', 'mds-no'];
const QOM_GET: readonly Step[] = FLAGS.map((property) => ['qom-get', { path: '/machine/unattached/device[0]', property }]);
describeTranscripts(
  "conformance: qom-get of a vCPU's feature flags after -cpu, every Debian release",
  [
    '-cpu qemu64',
    '-cpu qemu64,+avx512f,-x2apic,pmu=on,vmx=on',
    '-cpu qemu64,x2apic=on,sse4_1=off,-sse3',
    '-cpu Skylake-Server,-vmx',
    // check=off: the EPT capability word's lines are not modelled (README).
    '-cpu Skylake-Client-v1,+vmx,check=off',
    '-cpu EPYC,+svm,npt=on',
    '-cpu Skylake-Server-v4,-arch-capabilities,+mds-no',
    '-cpu max,-la57',
  ].map((line) => [line, ['-accel', 'tcg', ...line.split(' ')], QOM_GET] as const),
);
