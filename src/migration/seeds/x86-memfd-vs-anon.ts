/**
 * Precopy reads every page it sends, and the destination's ram_handle_zero reads every zero page
 * it receives (qemu.md §6.2). On private anonymous memory both reads map the shared zeropage; on
 * a memfd (shmem) both allocate. An 8 GiB x86 guest that wrote 1 GiB costs 1 GiB on either host
 * with memory-backend-ram, and all 8 GiB on both with memory-backend-memfd. No kernel changed
 * this: the variants are the two backends.
 */
import { GiB } from '../../core/units.js';
import { migrate } from '../engine.js';
import { startSeedMachine } from './machines.js';
import { variantOf, type SeedScenario } from './seed.js';

export const X86_MEMFD_VS_ANON: SeedScenario = {
  name: 'x86-memfd-vs-anon',
  story: 'An 8 GiB x86_64 guest that wrote 1 GiB is migrated with precopy; its RAM is private anonymous memory or a memfd',
  variants: [
    { name: 'memory-backend-ram', because: 'reads of never-written pages map the shared zeropage on both hosts', expected: { kind: 'completed' } },
    { name: 'memory-backend-memfd', because: 'shmem has no shared zeropage: every read allocates, on both hosts', expected: { kind: 'completed' } },
  ],
  run(variant) {
    const backend = variantOf(this, variant).name;
    const spec = {
      release: '7.2',
      arch: 'x86_64' as const,
      kernel: 'linux-6.1',
      accel: 'kvm' as const,
      machine: 'pc-q35-7.2',
      memory: '8G',
      memoryBackend: 'ram0',
      items: [{ kind: 'object' as const, type: backend, id: 'ram0', props: [{ name: 'size', value: '8G' }] }],
    };
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    source.process.mappings.find((m) => m.name === 'ram0')!.write(0, 1 * GiB, 0x1);
    // 10 GbE, with max-bandwidth raised to match.
    const outcome = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    return { outcome, source, destination };
  },
};
