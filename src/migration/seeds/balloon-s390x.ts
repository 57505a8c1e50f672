/**
 * The seed that started hotmem: a 100 GiB s390x KVM guest whose balloon holds 60 GiB is migrated.
 * Precopy reads every page of guest RAM on the source, ballooned-out pages included, and the
 * destination receives them as zero pages. Where the KVM process may not map the shared
 * zeropage (host kernels 4.14 to 6.9, mm_forbids_zeropage), each such read allocates a real
 * page: both hosts end up spending the full 100 GiB. Before 4.14 and from 6.10 the zeropage
 * is allowed and both stay near what the guest really uses.
 */
import { GiB } from '../../core/units.js';
import { attachLinuxGuest } from '../../cli/guest.js';
import { VIRTIO_BALLOON_RUNTIME } from '../../../devices/virtio-balloon/index.js';
import { migrate } from '../engine.js';
import { startSeedMachine } from './machines.js';
import { variantOf, type SeedScenario } from './seed.js';

const ERAS = [
  { name: 'linux-4.9', because: 'the zeropage is allowed in KVM processes (storage keys zap it only when enabled)' },
  { name: 'linux-4.14', because: 'mm_forbids_zeropage() holds for the whole s390x KVM process (4.14 to 6.9)' },
  { name: 'linux-6.9', because: 'mm_forbids_zeropage() holds for the whole s390x KVM process (4.14 to 6.9)' },
  { name: 'linux-6.10', because: '6.10 allows the zeropage until storage keys or PV are enabled' },
] as const;

export const BALLOON_S390X: SeedScenario = {
  name: 'balloon-s390x',
  story: 'A 100 GiB s390x KVM guest with a 60 GiB balloon (free page reporting on) is migrated with precopy between two sites',
  variants: ERAS.map((e) => ({ name: e.name, because: e.because, expected: { kind: 'completed' } as const })),
  run(variant) {
    const kernel = variantOf(this, variant).name;
    const spec = {
      release: '7.2',
      arch: 's390x' as const,
      kernel,
      accel: 'kvm' as const,
      machine: 's390-ccw-virtio-7.2',
      memory: '100G',
      items: [
        {
          kind: 'device' as const,
          driver: 'virtio-balloon-ccw',
          id: 'balloon0',
          props: [{ name: 'free-page-reporting', value: 'on' }],
        },
      ],
    };
    const source = startSeedMachine(spec);
    const destination = startSeedMachine(spec);
    const guest = attachLinuxGuest(source, { kernel: '6.1' });
    const runtime = source.model.resolvePath('balloon0')!.child('virtio-backend')!.slots.get(VIRTIO_BALLOON_RUNTIME)!;
    runtime.toTarget(40 * GiB);
    guest.settle();
    const outcome = migrate(source, destination, { bandwidth: 1.25e9, maxBandwidth: 1.25e9 });
    return { outcome, source, destination };
  },
};
