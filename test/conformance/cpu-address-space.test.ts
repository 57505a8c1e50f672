/**
 * What -cpu decides about guest memory, through each Debian release's real qemu-system-x86_64 and
 * `hotmem qemu` of that release: the vendor (an AMD model has RAM above the HyperTransport hole
 * relocated to 1 TiB), the physical address bits (TCG's 40, an explicit phys-bits, the host's under
 * KVM with host-phys-bits) and QEMU's check of the highest used address against them. The CPUID
 * feature warnings a model gets under TCG are compared (compat/cpus/, cpu-models.test.ts); those
 * it gets on this host's KVM depend on the host CPU's features, which are not modelled: those
 * lines are dropped from QEMU's stderr before comparing. The host model's x86 CPU is this
 * machine's (AMD, 48 physical bits: DEFAULT_HOST_X86_CPU).
 */
import { strict as assert } from 'node:assert';
import { requireModelled } from './modelled-release.js';
import { realStartup } from './qemu.js';
import { hotmemStartup } from './transcripts.js';
import { realQemus, requireReal } from './real-qemu.js';

const COMMON = ['-display', 'none', '-nodefaults', '-S'];

const CASES: readonly string[] = [
  '-machine pc -accel tcg -cpu qemu64 -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu qemu64 -m 1G,maxmem=1000G',
  '-machine q35 -accel tcg -cpu qemu64 -m 1G,maxmem=1000G',
  '-machine pc -accel tcg -cpu max -m 1G,maxmem=1P',
  '-machine pc -accel tcg -cpu Skylake-Client -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu EPYC -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu Dhyana -m 1G,maxmem=1T',
  '-machine pc-i440fx-7.0 -accel tcg -cpu qemu64 -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu qemu64,phys-bits=48 -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu qemu64,phys-bits=41 -m 1G,maxmem=1T',
  '-machine pc -accel tcg -cpu qemu64,phys-bits=30',
  '-machine pc -accel tcg -cpu qemu64,phys-bits=53',
  '-machine pc -accel tcg -cpu qemu64,host-phys-bits=on -m 1G,maxmem=1T',
  '-machine pc -accel kvm -cpu qemu64 -m 1G,maxmem=1T',
  '-machine pc -accel kvm -cpu qemu64,phys-bits=48 -m 1G,maxmem=1T',
  '-machine pc -accel kvm -cpu qemu64,phys-bits=44 -m 1G,maxmem=1T',
  '-machine pc -accel kvm -cpu qemu64,phys-bits=30',
  '-machine pc -accel kvm -cpu qemu64,host-phys-bits=on -m 1G,maxmem=1P',
  '-machine pc -accel kvm -cpu qemu64,host-phys-bits=on,host-phys-bits-limit=42 -m 1G,maxmem=1P',
];

const withoutKvmFeatureWarnings = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !line.includes("host doesn't support requested feature"))
    .join('\n');

describe('conformance: -cpu and the guest address space, qemu-system-x86_64, every Debian release', function () {
  this.timeout(60_000);
  for (const q of realQemus('x86_64')) {
    describe(`QEMU ${q.release} (${q.suite})`, () => {
      for (const line of CASES) {
        it(line, function () {
          requireReal(this, q);
          requireModelled(this, q.release);
          const args = [...COMMON, ...line.split(' ')];
          const real = realStartup(q.binary, args);
          assert.deepEqual(hotmemStartup(q.release, args), { status: real.status, stderr: withoutKvmFeatureWarnings(real.stderr) });
        });
      }
    });
  }
});
