/**
 * What a crash dump of a Linux guest contains (linux.md §2.7). The ELF core header lists the
 * crashed kernel's System RAM: on x86_64 kexec (kexec-tools or kexec_file_load) writes it in the
 * first kernel, including the "System RAM (virtio_mem)" ranges the driver added, unplugged
 * subblocks of partially plugged memory blocks and all; on s390x the kdump kernel builds it
 * itself, and virtio-mem memory is in it only from 6.14 (get_device_ram). Whether unplugged memory
 * is then read depends on the kdump kernel's driver: from 5.16 it binds and its pfn_is_ram()
 * turns unplugged blocks into zeros; before, it refuses to bind and everything listed is read.
 */
import type { Arch } from '../../core/arch.js';
import type { GuestRam } from './guest-ram.js';
import type { GpaRange } from './ranges.js';
import type { LinuxVirtioMemDriver } from './virtio-mem/driver.js';
import type { DumpPlan } from './workload.js';

export type DumpPlanResult =
  | { readonly kind: 'plan'; readonly plan: DumpPlan }
  /** get_device_ram()'s STATE request never completed: the kdump kernel hangs building its header. */
  | { readonly kind: 'hung' };

/**
 * The dump `cp /proc/vmcore` reads after the kernel whose RAM view is `crashedRam` crashed, with
 * `kdumpDriver` the kdump kernel's virtio-mem driver after probe (bound or not).
 */
export function crashDumpPlan(arch: Arch, crashedRam: GuestRam, kdumpDriver: LinuxVirtioMemDriver | undefined): DumpPlanResult {
  const vmcore = kdumpDriver?.vmcore();
  switch (arch) {
    case 'x86_64':
      return { kind: 'plan', plan: { segments: crashedRam.systemRam(), vmcore } };
    case 's390x': {
      const deviceRam = vmcore?.getDeviceRam?.() ?? { kind: 'ranges', ranges: [] as readonly GpaRange[] };
      if (deviceRam.kind === 'hung') return { kind: 'hung' };
      const extra = deviceRam.kind === 'ranges' ? deviceRam.ranges : [];
      return { kind: 'plan', plan: { segments: [...crashedRam.bootRam(), ...extra], vmcore } };
    }
    default: {
      const _exhaustive: never = arch;
      return _exhaustive;
    }
  }
}
