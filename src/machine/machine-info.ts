/**
 * query-machines' MachineInfo for each machine type: class attributes QEMU sets in each
 * machine's class_init and *_machine_options (QEMU 7.2: hw/i386/pc_piix.c, pc_q35.c, microvm.c,
 * hw/core/null-machine.c, hw/remote/machine.c, hw/s390x/s390-virtio-ccw.c; later releases where
 * they changed).
 */
import { compareReleases, type Release } from '../core/release.js';
import type { MachineTypeEntry } from './catalog.js';
import type { MachineVersion } from './family.js';

interface ClassAttributes {
  readonly cpuMax: number;
  /** The class has an "acpi" property: every X86MachineState machine (hw/i386/x86.c). */
  readonly acpi: boolean;
  readonly hotpluggableCpus: boolean;
  readonly numaMemSupported: boolean;
  readonly defaultCpuType?: string;
  readonly defaultRamId?: string;
}

/** A catalog entry's version thresholds, answered from its number. */
const entryVersion = (m: MachineTypeEntry): MachineVersion => ({
  atLeast: (major, minor) => m.version !== undefined && compareReleases(m.version, { major, minor }) >= 0,
});

function attributes(family: string, version: MachineVersion): ClassAttributes {
  const atLeast = (major: number, minor: number) => version.atLeast(major, minor);
  switch (family) {
    case 'pc-i440fx':
      return { cpuMax: 255, acpi: true, hotpluggableCpus: true, numaMemSupported: !atLeast(5, 1), defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'pc.ram' };
    case 'pc-q35':
      // Each pc_q35_X_Y_machine_options keeps the max_cpus of its time: 4096 from 9.0 on, 1024 in
      // 8.1 and 8.2, 288 down to 2.8, 255 for 2.7 and older.
      return {
        cpuMax: q35MaxCpus(atLeast),
        acpi: true,
        hotpluggableCpus: true,
        numaMemSupported: !atLeast(5, 1),
        defaultCpuType: 'qemu64-x86_64-cpu',
        defaultRamId: 'pc.ram',
      };
    case 's390-ccw-virtio':
      return { cpuMax: 248, acpi: false, hotpluggableCpus: true, numaMemSupported: false, defaultCpuType: 'qemu-s390x-cpu', defaultRamId: 's390.ram' };
    case 'isapc':
      return { cpuMax: 1, acpi: true, hotpluggableCpus: true, numaMemSupported: false, defaultCpuType: '486-x86_64-cpu', defaultRamId: 'pc.ram' };
    case 'microvm':
      return { cpuMax: 288, acpi: true, hotpluggableCpus: false, numaMemSupported: false, defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'microvm.ram' };
    case 'none':
      return { cpuMax: 1, acpi: false, hotpluggableCpus: false, numaMemSupported: false, defaultRamId: 'ram' };
    // hw/nitro/machine.c (11.1); read from Debian sid's 11.1.3 query-machines.
    case 'nitro':
      return { cpuMax: 4096, acpi: false, hotpluggableCpus: false, numaMemSupported: false, defaultRamId: 'ram' };
    case 'xenfv-4.2':
    case 'xenfv-3.1':
      // pc_i440fx_4_2/3_1 options (numa-mem-supported before 5.1), then max_cpus = HVM_MAX_VCPUS.
      return { cpuMax: 128, acpi: true, hotpluggableCpus: true, numaMemSupported: true, defaultCpuType: 'qemu64-x86_64-cpu', defaultRamId: 'pc.ram' };
    default:
      return { cpuMax: 1, acpi: false, hotpluggableCpus: false, numaMemSupported: false };
  }
}

function q35MaxCpus(atLeast: (major: number, minor: number) => boolean): number {
  if (atLeast(9, 0)) return 4096;
  if (atLeast(8, 1)) return 1024;
  return atLeast(2, 8) ? 288 : 255;
}

/** MachineClass::max_cpus, which -smp's maxcpus may not exceed; a start asks its thresholds through its own version. */
export const machineCpuMax = (family: string, version: MachineVersion): number => attributes(family, version).cpuMax;

/** MachineClass::default_cpu_type: the CPU type without -cpu. */
export const machineDefaultCpuType = (family: string, version: MachineVersion): string | undefined => attributes(family, version).defaultCpuType;

/** MachineInfo as `release` reports it (the acpi member is there from 8.0 on). */
export function machineInfo(m: MachineTypeEntry, release: Release): Record<string, unknown> {
  const a = attributes(m.family, entryVersion(m));
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
    ...(compareReleases(release, { major: 8, minor: 0 }) >= 0 ? { acpi: a.acpi } : {}),
  };
}
