/**
 * fa41ba0d ("s390/mm: avoid empty zero pages for KVM guests to avoid postcopy hangs", 4.14):
 * a postcopy destination answers the guest's read of a zero page with UFFDIO_ZEROPAGE and marks
 * it received. When the guest then enables storage keys, a 3.18-4.13 kernel zaps every
 * shared-zeropage PTE; the guest's next access faults again, and QEMU never sends a page twice.
 * 4.14 forbids the zeropage for KVM processes from the start (UFFDIO_ZEROPAGE still maps it
 * before 6.10, but nothing zaps it); 6.10 unshares zeropages instead of zapping them.
 */
import { MiB } from '../../core/units.js';
import { migrate } from '../engine.js';
import { startSeedMachine } from './machines.js';
import { variantOf, type SeedScenario } from './seed.js';

const PAGE = 4096;
/** A page past what the guest wrote, far enough that the background push has not reached it at 0.1 s. */
const TOUCHED = 768 * MiB;

export const POSTCOPY_STORAGE_KEYS: SeedScenario = {
  name: 'postcopy-storage-keys',
  story: 'An s390x KVM guest migrated with postcopy enables storage keys on the destination after touching a zero page',
  variants: [
    { name: 'linux-4.9', because: 'skeys-zap era: enabling keys zaps the zeropage UFFDIO_ZEROPAGE placed', expected: { kind: 'hung', cause: 'storage-keys' } },
    { name: 'linux-4.14', because: 'fa41ba0d: no zeropage PTE is ever zapped for a KVM process', expected: { kind: 'completed' } },
    { name: 'linux-6.10', because: '06201e00: enabling keys unshares zeropages into zeroed private pages', expected: { kind: 'completed' } },
  ],
  run(variant) {
    const kernel = variantOf(this, variant).name;
    const spec = { release: '7.2', arch: 's390x' as const, kernel, accel: 'kvm' as const, memory: '1G' };
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    source.process.mappings[0]!.write(0, 256 * MiB, 0x5eed);
    const read = { kind: 'read' as const, region: { block: 's390.ram', offset: TOUCHED, length: PAGE } };
    const outcome = migrate(source, destination, {
      bandwidth: 128 * MiB,
      postcopy: { startAfter: 0 },
      workload: {
        actions: [
          { at: 100e6, action: read },
          { at: 1e9, action: { kind: 'enable-storage-keys' } },
          { at: 1.5e9, action: read },
        ],
      },
    });
    return { outcome, source, destination };
  },
};
