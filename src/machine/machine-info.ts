/**
 * query-machines' MachineInfo for each machine type: class attributes QEMU sets in each
 * machine's class_init and *_machine_options (QEMU 7.2: hw/i386/pc_piix.c, pc_q35.c, microvm.c,
 * hw/core/null-machine.c, hw/remote/machine.c, hw/s390x/s390-virtio-ccw.c).
 */
import { compareReleases } from '../core/release.js';
import type { MachineTypeEntry } from './catalog.js';

interface ClassAttributes {
  readonly cpuMax: number;
  readonly hotpluggableCpus: boolean;
  readonly numaMemSupported: boolean;
  readonly defaultCpuType?: string;
  readonly defaultRamId?: string;
}

function attributes(m: MachineTypeEntry): ClassAttributes {
  const atLeast = (major: number, minor: number) => m.version !== undefined && compareReleases(m.version, { major, minor }) >= 0;
  switch (m.family) {
    case 'pc-i440fx':
      return { cpuMax: 255, hotpluggableCpus: true, numaMemSupported: !atLeast(5, 1), defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'pc.ram' };
    case 'pc-q35':
      // pc_q35_2_7_machine_options lowers max_cpus from 288 to 255 for 2.7 and older.
      return { cpuMax: atLeast(2, 8) ? 288 : 255, hotpluggableCpus: true, numaMemSupported: !atLeast(5, 1), defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'pc.ram' };
    case 's390-ccw-virtio':
      return { cpuMax: 248, hotpluggableCpus: true, numaMemSupported: false, defaultCpuType: 'qemu-s390x-cpu', defaultRamId: 's390.ram' };
    case 'isapc':
      return { cpuMax: 1, hotpluggableCpus: true, numaMemSupported: false, defaultCpuType: '486-x86_64-cpu', defaultRamId: 'pc.ram' };
    case 'microvm':
      return { cpuMax: 288, hotpluggableCpus: false, numaMemSupported: false, defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'microvm.ram' };
    case 'none':
      return { cpuMax: 1, hotpluggableCpus: false, numaMemSupported: false, defaultRamId: 'ram' };
    // hw/nitro/machine.c (11.1); read from Debian sid's 11.1.3 query-machines.
    case 'nitro':
      return { cpuMax: 4096, hotpluggableCpus: false, numaMemSupported: false, defaultRamId: 'ram' };
    default:
      return { cpuMax: 1, hotpluggableCpus: false, numaMemSupported: false };
  }
}

export function machineInfo(m: MachineTypeEntry): Record<string, unknown> {
  const a = attributes(m);
  return {
    name: m.name,
    ...(m.alias === undefined ? {} : { alias: m.alias }),
    ...(m.isDefault ? { 'is-default': true } : {}),
    'cpu-max': a.cpuMax,
    'hotpluggable-cpus': a.hotpluggableCpus,
    'numa-mem-supported': a.numaMemSupported,
    deprecated: m.deprecationReason !== undefined,
    ...(a.defaultCpuType === undefined ? {} : { 'default-cpu-type': a.defaultCpuType }),
    ...(a.defaultRamId === undefined ? {} : { 'default-ram-id': a.defaultRamId }),
  };
}
