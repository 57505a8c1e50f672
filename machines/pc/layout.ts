/**
 * The x86 pc memory layout shared by i440fx and q35 (hw/i386/pc.c pc_memory_init, QEMU 7.2):
 * initial RAM split around the 32-bit PCI hole, device memory above it, and the address-space
 * checks that depend on it. Version flags are the PCMachineClass fields older machine types
 * turn off in their *_machine_options.
 */
import type { Warning } from '../../src/core/errors.js';
import { compareReleases } from '../../src/core/release.js';
import { alignUp, GiB, TiB } from '../../src/core/units.js';
import { machineErrors } from '../../src/machine/errors.js';
import type { LayoutInput, MachineVersion, MemoryLayout, RamRegion } from '../../src/machine/family.js';

const FOUR_GIB = 4 * GiB;
/** The AMD HyperTransport hole just below 1 TiB (hw/i386/pc.c AMD_HT_START). */
const AMD_HT_START = 0xfd00000000;
const AMD_ABOVE_1TB_START = TiB;
/** hw/i386/acpi-build.h ACPI_MAX_RAM_SLOTS. */
const ACPI_MAX_RAM_SLOTS = 256;
export const TARGET_PAGE_SIZE = 4096;

/** pc.bios, SeaBIOS's image: 256 KiB (bios-256k.bin) from 2.0, 128 KiB for 1.7 and older (real 7.2's `info ramblock`). */
export const pcBiosSize = (v: MachineVersion): number => (v.atLeast(2, 0) ? 256 : 128) * 1024;

/** PCMachineClass fields by machine version. */
export interface PcClassFlags {
  readonly hasReservedMemory: boolean;
  readonly enforceAlignedDimm: boolean;
  readonly brokenReservedEnd: boolean;
  readonly enforceAmd1tbHole: boolean;
}

/** Each flag asks its version threshold when read, so a start depends on the thresholds it uses only. */
export function pcClassFlags(v: MachineVersion): PcClassFlags {
  return {
    get hasReservedMemory() {
      return v.atLeast(2, 1);
    },
    get enforceAlignedDimm() {
      return v.atLeast(2, 2);
    },
    get brokenReservedEnd() {
      return !v.atLeast(2, 5);
    },
    get enforceAmd1tbHole() {
      return v.atLeast(7, 1);
    },
  };
}

/** The below/above-4G split of initial RAM, decided by the chipset. */
export interface RamSplit {
  readonly below4g: number;
  readonly above4g: number;
  readonly warnings: readonly Warning[];
}

export function pcLayout(input: LayoutInput, split: RamSplit, pciHole64Size: number, machineName: string): MemoryLayout {
  const { memory, version } = input;
  const cpu = input.x86Cpu;
  if (!cpu) throw new Error('internal: a pc machine laid out without its x86 CPU');
  const flags = pcClassFlags(version);
  const hasDeviceMemory = memory.ramSize < memory.maxRamSize;

  if (!flags.hasReservedMemory && (memory.slots > 0 || hasDeviceMemory)) {
    throw machineErrors.error('machine.memory-hotplug-unsupported', { machine: machineName });
  }
  if (hasDeviceMemory && flags.hasReservedMemory) {
    if (memory.slots > ACPI_MAX_RAM_SLOTS) throw machineErrors.error('machine.too-many-slots', { slots: memory.slots });
    if (alignUp(memory.maxRamSize, TARGET_PAGE_SIZE) !== memory.maxRamSize) {
      throw machineErrors.error('machine.maxmem-unaligned', { pageSize: TARGET_PAGE_SIZE });
    }
  }

  const deviceRange = (above4gStart: number) => {
    const base = alignUp(above4gStart + split.above4g, GiB);
    // The region is sized assuming each DIMM slot may need 1 GiB of alignment.
    const size = memory.maxRamSize - memory.ramSize + (flags.enforceAlignedDimm ? GiB * memory.slots : 0);
    return { base, size };
  };
  const maxUsedGpa = (above4gStart: number) => {
    let hole64Start: number;
    if (flags.hasReservedMemory && hasDeviceMemory) {
      const range = deviceRange(above4gStart);
      hole64Start = flags.brokenReservedEnd ? range.base : range.base + range.size;
    } else {
      hole64Start = above4gStart + split.above4g;
    }
    return cpu.physBits <= 32 ? 2 ** cpu.physBits - 1 : alignUp(hole64Start, GiB) + pciHole64Size - 1;
  };

  let above4gStart = FOUR_GIB;
  // Only AMD vCPUs relocate RAM above 1 TiB, and only when the HT hole would be crossed.
  if (cpu.amd && flags.enforceAmd1tbHole && maxUsedGpa(above4gStart) >= AMD_HT_START) {
    above4gStart = AMD_ABOVE_1TB_START;
  }
  const used = maxUsedGpa(above4gStart);
  const limit = 2 ** cpu.physBits - 1;
  // pc_memory_init bounds-checks the highest used GPA from 7.1 on (the series that added the AMD
  // 1 TiB relocation); older releases start such a machine.
  if (compareReleases(input.release, { major: 7, minor: 1 }) >= 0 && limit < used) {
    throw machineErrors.error('machine.phys-bits-too-low', { limit, used, physBits: cpu.physBits });
  }

  const ram: RamRegion[] = [{ name: 'ram-below-4g', base: 0, size: split.below4g, offset: 0 }];
  if (split.above4g > 0) ram.push({ name: 'ram-above-4g', base: above4gStart, size: split.above4g, offset: split.below4g });
  // pc always allocates the device-memory information; without maxmem it is empty.
  const deviceMemory = hasDeviceMemory ? deviceRange(above4gStart) : { base: 0, size: 0 };
  // SeaBIOS's image is mapped as the pc.bios ROM just below 4 GiB.
  return { ram, deviceMemory, firmwareBytes: pcBiosSize(version), warnings: split.warnings };
}
