/**
 * The pc-i440fx and pc-q35 families: what they share (the pc layout, NUMA behaviour, -m
 * defaults) and where they differ (the RAM split, the 64-bit PCI hole, the root bus).
 */
import type { Warning } from '../../src/core/errors.js';
import { GiB, MiB } from '../../src/core/units.js';
import type { BoardPciFunction, LayoutInput, MachineFamily, MachineVersion } from '../../src/machine/family.js';
import { machineErrors } from '../../src/machine/errors.js';
import type { QomObject } from '../../src/qom/object.js';
import { ON_OFF_AUTO } from '../../src/qom/property.js';
import type { TypeInfo } from '../../src/qom/type-info.js';
import { pcFirmwareBlocks } from './firmware.js';
import { pciDeviceMemory } from './option-roms.js';
import { pcClassFlags, pcLayout, TARGET_PAGE_SIZE, type RamSplit } from './layout.js';

/**
 * i440fx (hw/i386/pc_piix.c): the traditional 3.5 GiB split, moved to 3 GiB when RAM must be
 * split on gigabyte-aligned machine types.
 */
function i440fxSplit(ramSize: number, version: MachineVersion, maxRamBelow4g: number): RamSplit {
  const warnings: Warning[] = [];
  const limit = maxRamBelow4g || 0xe0000000;
  let lowmem = limit;
  if (ramSize >= limit && version.atLeast(2, 1)) {
    lowmem = Math.min(lowmem, 0xc0000000);
    if (lowmem % GiB !== 0) {
      warnings.push({
        code: 'pc.lowmem-unaligned',
        message: `Large machine and max_ram_below_4g (${limit}) not a multiple of 1G; possible bad performance.`,
      });
    }
  }
  return ramSize >= lowmem ? { below4g: lowmem, above4g: ramSize - lowmem, warnings } : { below4g: ramSize, above4g: 0, warnings };
}

/** q35 (hw/i386/pc_q35.c): 2 GiB below 4G for large guests, else up to 2.75 GiB. */
function q35Split(ramSize: number, maxRamBelow4g: number): RamSplit {
  const warnings: Warning[] = [];
  let lowmem = ramSize >= 0xb0000000 ? 0x80000000 : 0xb0000000;
  const limit = maxRamBelow4g || 4 * GiB;
  if (lowmem > limit) {
    lowmem = limit;
    if (ramSize - lowmem > lowmem && lowmem % GiB !== 0) {
      warnings.push({
        code: 'pc.lowmem-unaligned',
        message: `There is possibly poor performance as the ram size  (0x${ramSize.toString(16)}) is more then twice the size of max-ram-below-4g (${limit}) and max-ram-below-4g is not a multiple of 1G.`,
      });
    }
  }
  return ramSize >= lowmem ? { below4g: lowmem, above4g: ramSize - lowmem, warnings } : { below4g: ramSize, above4g: 0, warnings };
}

const PC_SUPPORT_TYPES: readonly TypeInfo[] = [
  { name: 'x86-machine', parent: 'machine', abstract: true, properties: [{ name: 'acpi', type: ON_OFF_AUTO, origin: 'custom', default: 'auto' }] },
  {
    name: 'generic-pc-machine',
    parent: 'x86-machine',
    abstract: true,
    properties: [
      { name: 'max-ram-below-4g', type: { kind: 'size' }, origin: 'custom', default: 0 },
      { name: 'nvdimm', type: { kind: 'bool' }, origin: 'custom', default: false },
      {
        name: 'nvdimm-persistence',
        type: { kind: 'str' },
        origin: 'custom',
        // pc_machine_set_nvdimm_persistence: the ACPI NFIT's platform capabilities.
        set: (_machine, value) => {
          if (value !== 'mem-ctrl' && value !== 'cpu') throw machineErrors.error('pc.nvdimm-persistence', { value: value as string });
        },
      },
    ],
  },
];

/**
 * pc_memory_pre_plug: DIMMs are ACPI memory devices, so they need ACPI (x86_machine_is_acpi_enabled:
 * anything but acpi=off); NVDIMMs also need -machine nvdimm=on. Machine types before 2.2
 * (enforce_aligned_dimm off) align DIMMs to the target page only. virtio memory devices are
 * none of the board's business here.
 */
function memoryDevicePrePlug(machine: QomObject, version: MachineVersion, device: QomObject): { readonly legacyAlign?: number } {
  const view = machine.model.view;
  if (!view.isA(device.type, 'pc-dimm')) return {};
  if (machine.get('acpi') === 'off') throw machineErrors.error('pc.memory-hotplug-without-acpi');
  if (view.isA(device.type, 'nvdimm') && machine.get('nvdimm') !== true) throw machineErrors.error('pc.nvdimm-not-enabled');
  return pcClassFlags(version).enforceAlignedDimm ? {} : { legacyAlign: TARGET_PAGE_SIZE };
}

const fn = (slot: number, func: number) => (slot << 3) | func;

/**
 * What the i440fx board puts on pci.0 (hw/i386/pc_piix.c): the host bridge at 00.0, then PIIX3
 * (auto-placed, so 01.0, multifunction), its IDE at 01.1 and the ACPI PM at 01.3.
 */
const I440FX_BOARD: readonly BoardPciFunction[] = [
  { devfn: fn(0, 0), type: 'i440FX', multifunction: false },
  { devfn: fn(1, 0), type: 'PIIX3', multifunction: true },
  { devfn: fn(1, 1), type: 'piix3-ide', multifunction: false },
  { devfn: fn(1, 3), type: 'PIIX4_PM', multifunction: false },
];

/** pc_init1 with -machine usb=on: PIIX3's UHCI function at 01.2. */
const I440FX_USB: readonly BoardPciFunction[] = [{ devfn: fn(1, 2), type: 'piix3-usb-uhci', multifunction: false }];

/** What the q35 board puts on pcie.0 (hw/i386/pc_q35.c): the MCH at 00.0, the ICH9 LPC, AHCI and SMBus at 1f.0, 1f.2, 1f.3. */
const Q35_BOARD: readonly BoardPciFunction[] = [
  { devfn: fn(0, 0), type: 'mch', multifunction: false },
  { devfn: fn(0x1f, 0), type: 'ICH9-LPC', multifunction: true },
  { devfn: fn(0x1f, 2), type: 'ich9-ahci', multifunction: false },
  { devfn: fn(0x1f, 3), type: 'ICH9-SMB', multifunction: false },
];

/** pc_q35_init with -machine usb=on (ehci_create_ich9_with_companions at slot 1d): EHCI at 1d.7, its UHCI companions at 1d.0-2. */
const Q35_USB: readonly BoardPciFunction[] = [
  { devfn: fn(0x1d, 0), type: 'ich9-usb-uhci1', multifunction: true, companion: true },
  { devfn: fn(0x1d, 1), type: 'ich9-usb-uhci2', multifunction: false, companion: true },
  { devfn: fn(0x1d, 2), type: 'ich9-usb-uhci3', multifunction: false, companion: true },
  { devfn: fn(0x1d, 7), type: 'ich9-usb-ehci1', multifunction: true },
];

function pcFamily(
  name: 'pc-i440fx' | 'pc-q35',
  split: (input: LayoutInput) => RamSplit,
  pciHole64Size: number,
  rootBus: 'pci.0' | 'pcie.0',
  acpiBridgeHotplug: MachineFamily['acpiBridgeHotplug'],
  board: readonly BoardPciFunction[],
  usb: readonly BoardPciFunction[],
  defaultNic: (version: MachineVersion) => string,
): MachineFamily {
  return {
    name,
    arch: 'x86_64',
    prefix: `${name}-`,
    baseType: { name: `${name}-machine-base`, parent: 'generic-pc-machine', abstract: true },
    supportTypes: PC_SUPPORT_TYPES,
    memoryRules: () => ({ defaultRamSize: 128 * MiB }),
    defaultRamId: 'pc.ram',
    numaSupported: true,
    // Asked when read: a start whose -m has no slots never asks 2.11.
    autoEnableNuma: (v) => ({
      get withMemhp() {
        return v.atLeast(2, 11);
      },
      get withMemdev() {
        return v.atLeast(5, 1);
      },
    }),
    legacyNumaMem: (v) => !v.atLeast(5, 1),
    memoryDevicePrePlug,
    layout: (input) => pcLayout(input, split(input), pciHole64Size, input.machineName),
    firmwareBlocks: pcFirmwareBlocks,
    pciDeviceMemory,
    // i440fx creates PIIX4's PM function unless acpi=off; q35's ICH9 LPC, the ACPI device, is
    // always there (real 5.2 and 11.1 answer query-acpi-ospm-status with acpi=off).
    hasAcpiDevice: (machine) => name === 'pc-q35' || machine.get('acpi') !== 'off',
    // Conventional PCI hotplugs through ACPI (PIIX4's acpi-pcihp); the PCIe root complex does not.
    rootBuses: () => [
      {
        name: rootBus,
        kind: rootBus === 'pci.0' ? 'PCI' : 'PCIE',
        hotplug: rootBus === 'pci.0' ? 'acpi-pcihp' : 'none',
        // i440fx_pcihost_root_bus_path / q35_host_root_bus_path: domain 0, bus 0.
        addressing: { kind: 'pci', busPath: '0000:00', board, usb },
        // i440fx's host creates its root bus unnamed (pci.0 by automatic id); q35's names it pcie.0.
        ...(rootBus === 'pci.0' ? { automaticName: true } : {}),
      },
    ],
    acpiBridgeHotplug,
    // pc_vga_init, then pc_nic_init: the standard VGA and the machine's default NIC, both
    // placed in the first free slots (real 7.2 without -nodefaults: i440fx 02.0 VGA, 03.0 e1000;
    // q35 01.0 VGA, 02.0 e1000e).
    defaultDevices: (version) => [
      { kind: 'vga', type: 'VGA', bus: rootBus },
      { kind: 'nic', type: defaultNic(version), bus: rootBus },
    ],
  };
}

/** hw/pci-host/i440fx.c I440FX_PCI_HOST_HOLE64_SIZE_DEFAULT. */
export const PC_I440FX = pcFamily(
  'pc-i440fx',
  (i) => i440fxSplit(i.memory.ramSize, i.version, i.maxRamBelow4g),
  2 * GiB,
  'pci.0',
  { driver: 'PIIX4_PM' },
  I440FX_BOARD,
  I440FX_USB,
  () => 'e1000',
);
/** hw/pci-host/q35.c Q35_PCI_HOST_HOLE64_SIZE_DEFAULT; the default NIC became e1000e with pc-q35-2.12 (pc_q35_2_11_machine_options). */
export const PC_Q35 = pcFamily(
  'pc-q35',
  (i) => q35Split(i.memory.ramSize, i.maxRamBelow4g),
  32 * GiB,
  'pcie.0',
  // ICH9-LPC's came with ACPI PCI hotplug on q35 in 6.1 (pc_compat_6_0 turns it off).
  { driver: 'ICH9-LPC', since: { major: 6, minor: 1 } },
  Q35_BOARD,
  Q35_USB,
  (v) => (v.atLeast(2, 12) ? 'e1000e' : 'e1000'),
);
