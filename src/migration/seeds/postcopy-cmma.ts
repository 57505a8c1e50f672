/**
 * bce73e48 ("mm: do not drop unused pages when userfaultd is running", 4.18): on a postcopy
 * destination the guest marks a page it got through UFFDIO_COPY unused (ESSA), memory pressure
 * makes reclaim drop it — before 4.18 even though userfaultfd is armed — and when the guest
 * reuses the page it faults again. QEMU already sent it and never sends it twice.
 */
import { MiB } from '../../core/units.js';
import { migrate } from '../engine.js';
import type { GuestRegion } from '../workload.js';
import { startSeedMachine } from './machines.js';
import { variantOf, type SeedScenario } from './seed.js';

/** A page the guest writes early on the destination, before the background push gets there. */
const REUSED: GuestRegion = { block: 's390.ram', offset: 900 * MiB, length: 4096 };

export const POSTCOPY_CMMA: SeedScenario = {
  name: 'postcopy-cmma',
  story: 'An s390x KVM guest on a postcopy destination frees a page (CMMA unused), the host reclaims, the guest reuses the page',
  variants: [
    {
      name: 'linux-4.9',
      because: 'before bce73e48 reclaim drops CMMA-unused pages in ranges armed with userfaultfd',
      expected: { kind: 'hung', cause: 'cmma-discard' },
    },
    { name: 'linux-4.19', because: 'bce73e48: reclaim keeps unused pages while userfaultfd is armed', expected: { kind: 'completed' } },
  ],
  run(variant) {
    const kernel = variantOf(this, variant).name;
    const spec = { release: '7.2', arch: 's390x' as const, kernel, accel: 'kvm' as const, memory: '1G' };
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    source.process.mappings[0]!.write(0, 256 * MiB, 0xc0ffee);
    const outcome = migrate(source, destination, {
      bandwidth: 128 * MiB,
      postcopy: { startAfter: 0 },
      workload: {
        actions: [
          { at: 100e6, action: { kind: 'write', region: REUSED, tag: 0xf00d } },
          { at: 350e6, action: { kind: 'cmma', region: REUSED, usage: 'unused' } },
          { at: 450e6, action: { kind: 'host-reclaim', side: 'destination' } },
          { at: 550e6, action: { kind: 'cmma', region: REUSED, usage: 'stable' } },
          { at: 560e6, action: { kind: 'write', region: REUSED, tag: 0xbeef } },
        ],
      },
    });
    return { outcome, source, destination };
  },
};
