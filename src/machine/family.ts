/**
 * What a machine family (pc-i440fx, pc-q35, s390-ccw-virtio) decides for memory devices: its RAM
 * layout and device-memory region, -m defaults, NUMA support, root buses and QOM type. The
 * families themselves live in machines/; this is the contract the Machine assembles them by.
 */
import type { Arch } from '../core/arch.js';
import type { ChildBusKind } from './child-buses.js';
import type { X86CpuFacts } from './x86-cpu.js';
import type { Warning } from '../core/errors.js';
import type { Release } from '../core/release.js';
import type { QomObject } from '../qom/object.js';
import type { TypeInfo } from '../qom/type-info.js';
import type { DeviceMemoryRegion } from './device-memory.js';
import type { MemorySize, MemorySizeRules } from './memory-size.js';

/** A machine type's version as the catalog gives it, e.g. 7.2 for pc-q35-7.2. */
export interface VersionNumber {
  readonly major: number;
  readonly minor: number;
}

/**
 * A machine type's version as the board sees it: asked only whether it is at least a given one,
 * so each threshold a start depends on is one answer (machine-type-reads.ts).
 */
export interface MachineVersion {
  atLeast(major: number, minor: number): boolean;
}

/**
 * The bus's hotplug handler, as device_add and device_del meet it (qdev_unplug): whether it has an
 * unplug_request, which only asks the guest, or unplugs at once.
 */
export type BusHotplug =
  /** No hotplug handler (the PCIe root complex): device_add and device_del are refused. */
  | 'none'
  /** Only an unplug callback (the virtual channel subsystem): the device goes at once. */
  | 'immediate'
  /** ACPI PCI hotplug (acpi-pcihp): the guest is asked to eject the slot, and the device stays until it does. */
  | 'acpi-pcihp'
  /**
   * A PCIe root or downstream port's native hotplug (hw/pci/pcie.c pcie_cap_slot_*): the
   * attention button asks the guest, or a slot no guest powered on unplugs at once.
   */
  | 'pcie-slot'
  /**
   * A PCIe port with hotplug=off whose bus still takes requests, which the port refuses
   * (pcie_cap_slot_pre_plug_cb, pcie_cap_slot_unplug_request_cb), as before the bus said so itself.
   */
  | 'pcie-slot-off'
  /** A bridge's standard hotplug controller (hw/pci/shpc.c): slots 1 to 31, the guest asked as for a PCIe slot. */
  | 'shpc';

/** A bus devices can be plugged into; PCIe root buses refuse hotplug. */
export interface BusSpec {
  readonly name: string;
  /** The bus kind a device's `bus` must match (`PCI` devices go on PCI and PCIE buses). */
  readonly kind: 'PCI' | 'PCIE' | 'virtual-css-bus' | ChildBusKind;
  readonly hotplug: BusHotplug;
  /** How the bus addresses its devices; absent where hotmem does not model addresses. */
  readonly addressing?: BusAddressing;
  /**
   * The bus was named by qbus's automatic ids (lowercase class name and the class's counter, as
   * i440fx's pci.0 is), so the next unnamed bus of its kind counts on from it.
   */
  readonly automaticName?: boolean;
  /** An IDE bus's units (master, and slave where it has one). */
  readonly units?: number;
}

/** A function the board itself puts on a PCI bus (host bridge, south bridge). */
export interface BoardPciFunction {
  readonly devfn: number;
  /** The QOM type, which QEMU names in "in use by" messages. */
  readonly type: string;
  /** QEMU_PCI_CAP_MULTIFUNCTION: other functions of its slot may be populated. */
  readonly multifunction: boolean;
  /** A USB companion controller (the board sets its masterbus): its ports join another's bus. */
  readonly companion?: boolean;
}

export type BusAddressing =
  /**
   * A PCI bus: devfns 0..255, dev paths "<bus path>:SS.F" (pcibus_get_dev_path): a root bus's
   * path is its domain and number, a bridge's secondary bus's the bridge's own dev path.
   */
  | {
      readonly kind: 'pci';
      readonly busPath: string;
      readonly board: readonly BoardPciFunction[];
      /** The USB controllers the board adds with -machine usb=on. */
      readonly usb: readonly BoardPciFunction[];
      /**
       * The link below a PCIe root or downstream port (pcie_has_upstream_port): its one device is
       * function 0 of slot 0, which is every function's function 0.
       */
      readonly port?: boolean;
      /** An expander bridge's root bus takes only bridges; QEMU names the expander's type. */
      readonly onlyBridges?: string;
    }
  /** The virtual channel subsystem: bus ids cssid.ssid.devno, auto ids in the default cssid. */
  | { readonly kind: 'css'; readonly defaultCssid: number };

/**
 * A device QEMU adds itself unless -nodefaults (or -vga none, -nic none / -net none) says
 * otherwise: created with the board, after its own devices and before any -device.
 */
export interface DefaultDevice {
  readonly kind: 'vga' | 'nic';
  readonly type: string;
  /** The bus it goes on, by name. */
  readonly bus: string;
}

/** A guest-physical RAM range of initial memory. */
export interface RamRegion {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** Offset of this range inside the RAM backend. */
  readonly offset: number;
}

export interface MemoryLayout {
  readonly ram: readonly RamRegion[];
  /** `unsupported` when the machine has no memory-device support at all. */
  readonly deviceMemory: DeviceMemoryRegion | 'unsupported';
  /** Firmware ROM guest memory dumps include besides RAM (pc.bios below 4 GiB on pc). */
  readonly firmwareBytes: number;
  readonly warnings: readonly Warning[];
}

/**
 * A RAMBlock the board's firmware takes (QEMU allocates it; no memory backend): migration lists
 * it and sends its used length like RAM. Its content is the firmware image and tables QEMU
 * generates, which the model counts in pages rather than holds.
 */
export interface FirmwareBlock {
  readonly idstr: string;
  readonly usedLength: number;
  /**
   * The length reserved for it (RAMBlock max_length): larger than the used length for the
   * resizeable fw_cfg blobs (rom_add_blob's max_len), which QEMU may grow on reset.
   */
  readonly maxLength: number;
  /** A ROM region (memory_region_init_rom, rom_add_*): `info ramblock` prints it `ro`. */
  readonly readOnly: boolean;
  /**
   * Its pages that hold non-zero content once QEMU has loaded it (the image's, not its zero
   * padding), which migration sends as normal pages and the rest as zero pages.
   */
  readonly dataPages: number;
}

/**
 * The board firmware's blocks by when QEMU creates them: at board init, before any device
 * (pc.bios, pc.rom), and at machine-done, after every -device (the ACPI blobs of
 * acpi_setup). Their RAM offsets and the order of `info ramblock` follow creation.
 */
export interface BoardFirmware {
  readonly atInit: readonly FirmwareBlock[];
  readonly atMachineDone: readonly FirmwareBlock[];
}

/** What decides the RAMBlocks a PCI device adds (option ROM, video RAM): read at its realize. */
export interface PciDeviceRam {
  readonly type: string;
  /** qdev_get_dev_path: `0000:00:02.0`. */
  readonly devPath: string;
  /** The romfile property when set (an empty string included); undefined takes the class's. */
  readonly romfile: string | undefined;
  readonly rombar: number;
  /** The romsize property (6.0 on) when set; undefined when unset (UINT32_MAX) or the release has none. */
  readonly romsize: number | undefined;
  /** vgamem_mb, for the types that have it. */
  readonly vgamemMb: number | undefined;
  /** vgamem in bytes (bochs-display), for the types that have it. */
  readonly vgamemBytes: number | undefined;
}

/** What a PCI device's realize adds to guest memory besides its BARs. */
export interface PciDeviceMemory {
  /** Its option ROM and video RAM RAMBlocks, in creation order. */
  readonly blocks: readonly FirmwareBlock[];
  /**
   * Whether it claims the legacy VGA window (vga_init's vga-lowmem, 0xa0000 to 0xbffff), an I/O
   * region over the RAM beneath, which dump-guest-memory then leaves out.
   */
  readonly legacyVgaWindow: boolean;
}

export interface LayoutInput {
  readonly memory: MemorySize;
  readonly version: MachineVersion;
  readonly release: Release;
  /** The machine type's name as QEMU prints it in messages (pc-1.3 is not pc-i440fx-1.3). */
  readonly machineName: string;
  /** The machine's max-ram-below-4g property (pc only; 0 = unset). */
  readonly maxRamBelow4g: number;
  /** The x86 CPU's vendor and physical address bits (x86_64 only). */
  readonly x86Cpu?: X86CpuFacts;
}

export interface MachineFamily {
  readonly name: 'pc-i440fx' | 'pc-q35' | 's390-ccw-virtio';
  readonly arch: Arch;
  /** QEMU's machine-name prefix: `pc-i440fx-`, `pc-q35-`, `s390-ccw-virtio-`. */
  readonly prefix: string;
  /** The abstract QOM parent of every versioned machine type of the family. */
  readonly baseType: TypeInfo;
  /** Other QOM types the family needs (abstract ancestors, bridges). */
  readonly supportTypes: readonly TypeInfo[];
  memoryRules(version: MachineVersion): MemorySizeRules;
  /** MachineClass::default_ram_id: the RAMBlock name of initial memory. */
  readonly defaultRamId: string;
  readonly numaSupported: boolean;
  /** MachineClass::auto_enable_numa_with_memhp / _with_memdev for a version. */
  autoEnableNuma(version: MachineVersion): { readonly withMemhp: boolean; readonly withMemdev: boolean };
  /** Whether `-numa node,mem=` (legacy) is still accepted by this version. */
  legacyNumaMem(version: MachineVersion): boolean;
  layout(input: LayoutInput): MemoryLayout;
  /**
   * The board's own part of a memory device's pre-plug, before the device's (pc_memory_pre_plug's
   * ACPI and nvdimm checks): throws QEMU's refusal, or gives the alignment that replaces the
   * device's own (legacy_align).
   */
  memoryDevicePrePlug?(machine: QomObject, version: MachineVersion, device: QomObject): { readonly legacyAlign?: number };
  rootBuses(version: MachineVersion): readonly BusSpec[];
  /**
   * The board device whose acpi-pci-hotplug-with-bridge-support property (default on) puts
   * bridges' buses under ACPI PCI hotplug, and the first release whose board has it (absent: every
   * modelled release's).
   */
  readonly acpiBridgeHotplug?: { readonly driver: string; readonly since?: Release };
  /** The firmware's RAMBlocks, in the order QEMU creates them (none: the board has no firmware in RAM, as s390-ccw-virtio). */
  firmwareBlocks?(machine: QomObject, version: MachineVersion, release: Release): BoardFirmware;
  /** What a PCI device's realize adds (option ROM, video RAM); throws QEMU's refusal where that realize fails. */
  pciDeviceMemory?(device: PciDeviceRam, release: Release): PciDeviceMemory;
  /**
   * Whether the board has an ACPI device (an acpi-device-if: PIIX4's or ICH9's power management),
   * which answers query-acpi-ospm-status and registers the guest's wakeup from suspend.
   */
  hasAcpiDevice(machine: QomObject): boolean;
  /** The default devices of this version, in creation order. */
  defaultDevices(version: MachineVersion): readonly DefaultDevice[];
}
