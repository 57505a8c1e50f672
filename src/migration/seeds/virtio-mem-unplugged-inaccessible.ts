/**
 * What reading unplugged virtio-mem memory costs (qemu.md §1.8, §6.1). Migration itself never
 * reads unplugged blocks (RamDiscardManager, 6.2+), and the destination discards them again after
 * loading the bitmap. But a guest that did not agree to VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE may
 * read them — a dump or /proc/kcore walks the whole region — and on a memdev without the shared
 * zeropage every such read allocates host memory. unplugged-inaccessible=auto (7.0+) turns the
 * feature on exactly for those memdevs; pc-q35-6.2 keeps it off for compatibility.
 */
import { GiB, MiB } from '../../core/units.js';
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import { VIRTIO_MEM_RUNTIME } from '../../../devices/virtio-mem/runtime-key.js';
import { RAM_BLOCK } from '../../machine/ram-block.js';
import { migrate } from '../engine.js';
import type { GuestRegion } from '../workload.js';
import { plugVirtioMem, startSeedMachine } from './machines.js';
import { variantOf, type SeedScenario } from './seed.js';

const CONFIGS: Readonly<Record<string, { readonly machine: string; readonly backend: string }>> = {
  'memfd, pc-q35-7.2 (on)': { machine: 'pc-q35-7.2', backend: 'memory-backend-memfd' },
  'memfd, pc-q35-6.2 (off)': { machine: 'pc-q35-6.2', backend: 'memory-backend-memfd' },
  'ram, pc-q35-6.2 (off)': { machine: 'pc-q35-6.2', backend: 'memory-backend-ram' },
};

const MEMDEV = 8 * GiB;
const PLUGGED = 1 * GiB;

export const VIRTIO_MEM_UNPLUGGED_INACCESSIBLE: SeedScenario = {
  name: 'virtio-mem-unplugged-inaccessible',
  story: 'An x86_64 guest with 1 GiB of an 8 GiB virtio-mem device plugged dumps the device memory while it is migrated',
  variants: [
    {
      name: 'memfd, pc-q35-7.2 (on)',
      because: "'auto' resolves to on for a memfd: the guest acks the feature and reads plugged memory only",
      expected: { kind: 'completed' },
    },
    {
      name: 'memfd, pc-q35-6.2 (off)',
      because: 'hw_compat_6_2 keeps the feature off: the dump reads unplugged memfd memory, which allocates',
      expected: { kind: 'completed' },
    },
    { name: 'ram, pc-q35-6.2 (off)', because: 'unplugged private anonymous memory reads as the shared zeropage', expected: { kind: 'completed' } },
  ],
  run(variant) {
    const { machine, backend } = CONFIGS[variantOf(this, variant).name]!;
    const spec = {
      release: '7.2',
      arch: 'x86_64' as const,
      kernel: 'linux-6.1',
      accel: 'kvm' as const,
      machine,
      memory: '2G,maxmem=16G',
      items: [
        { kind: 'object' as const, type: backend, id: 'mem0', props: [{ name: 'size', value: String(MEMDEV) }] },
        { kind: 'device' as const, driver: 'virtio-mem-pci', id: 'vm0', props: [{ name: 'memdev', value: 'mem0' }] },
      ],
    };
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    plugVirtioMem(source, 'vm0', PLUGGED);
    source.process.mappings.find((m) => m.name === 'mem0')!.write(0, 512 * MiB, 0x7);
    const runtime = source.model.resolvePath('vm0')!.child('virtio-backend')!.slots.get(VIRTIO_MEM_RUNTIME)!;
    // A guest that acked the feature reads plugged memory only; one that did not may read it all.
    const acked = runtime.guestFeatures.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
    // The memdev's RAMBlock is named after the device's PCI address ("0000:00:01.0/mem0" on q35).
    const block = source.model.resolvePath('/objects/mem0')!.slots.get(RAM_BLOCK)!.idstr;
    const dump: GuestRegion = { block, offset: 0, length: acked ? PLUGGED : MEMDEV };
    const outcome = migrate(source, destination, {
      bandwidth: 1.25e9,
      maxBandwidth: 1.25e9,
      workload: { actions: [{ at: 50e6, action: { kind: 'read', region: dump } }] },
    });
    return { outcome, source, destination };
  },
};
