/**
 * The RAMBlocks PCI display and network devices add besides the board's firmware: a PCI option
 * ROM (hw/pci/pci.c pci_add_option_rom) and a display's video RAM (hw/display/vga.c
 * vga_common_init). Migration lists and sends them like RAM and ram.total counts them, as
 * `info ramblock` of the real 5.2, 7.2, 10.0 and 11.1 binaries shows:
 *
 * - the ROM is `<dev path>/<vmsd name>.rom`, sized to the ROM file rounded up to a power of two;
 *   the file is the class's default unless `romfile` is set, and `romfile=` (empty) gives none.
 *   With rombar=0 the ROM goes through fw_cfg as a genroms file, which has no RAMBlock on any
 *   machine type whose option_rom_has_mr is off (pc-i440fx-2.0 and newer, every pc-q35).
 * - the video RAM is `<dev path>/vga.vram`, vgamem_mb clamped to 1..512 and rounded up to a
 *   power of two; virtio-vga's is a fixed 8 MiB; vmware-svga adds its 64 KiB FIFO, registered
 *   globally (`vmsvga.fifo`).
 * - a VGA-compatible display (not secondary-vga) claims the legacy VGA window over guest RAM,
 *   128 KiB that dump-guest-memory of the real binaries leaves out.
 *
 * ROM file sizes are the installation's (firmware-files.ts).
 */
import type { FirmwareBlock, PciDeviceMemory, PciDeviceRam } from '../../src/machine/family.js';
import type { Release } from '../../src/core/release.js';
import { machineErrors } from '../../src/machine/errors.js';
import { firmwareFiles, romDataPages } from './firmware-files.js';

const KiB = 1024;
const MiB = 1024 * KiB;

type VideoRam =
  /** vga_common_init with the device's vgamem_mb. */
  | { readonly kind: 'vgamem_mb'; readonly allowedMiB?: readonly number[] }
  /** virtio_vga_base_realize sets vram_size_mb itself. */
  | { readonly kind: 'fixed'; readonly bytes: number }
  /** bochs_display_realize: vgamem in bytes, 4 to 256 MiB, rounded up to a power of two, in its own region. */
  | { readonly kind: 'vgamem'; readonly region: string };

interface PciRamDevice {
  /** PCIDeviceClass.romfile, the ROM a device loads when its romfile property is unset. */
  readonly romfile?: string;
  /** The ROM region's name before `.rom`: the device's vmsd name (its type name without one). */
  readonly romName: string;
  readonly vram?: VideoRam;
  /** RAM blocks registered without the device's path (vmstate_register_ram_global). */
  readonly globalBlocks?: readonly { readonly idstr: string; readonly bytes: number }[];
  readonly legacyVgaWindow?: true;
}

/**
 * The devices whose blocks are modelled, as the four Debian binaries realize them (romfile read
 * back with qom-get, blocks from `info ramblock`). igb, secondary-vga's and virtio-gpu-pci's
 * romfile is empty. qxl and qxl-vga (in the 5.2 and 7.2 builds) are not modelled.
 */
const PCI_RAM_DEVICES: Readonly<Record<string, PciRamDevice>> = {
  e1000: { romfile: 'efi-e1000.rom', romName: 'e1000' },
  e1000e: { romfile: 'efi-e1000e.rom', romName: 'e1000e' },
  'virtio-net-pci': { romfile: 'efi-virtio.rom', romName: 'virtio-net-pci' },
  rtl8139: { romfile: 'efi-rtl8139.rom', romName: 'rtl8139' },
  ne2k_pci: { romfile: 'efi-ne2k_pci.rom', romName: 'ne2000' },
  pcnet: { romfile: 'efi-pcnet.rom', romName: 'pcnet' },
  vmxnet3: { romfile: 'efi-vmxnet3.rom', romName: 'vmxnet3' },
  i82559er: { romfile: 'pxe-eepro100.rom', romName: 'i82559er' },
  i82801: { romfile: 'pxe-eepro100.rom', romName: 'i82801' },
  VGA: { romfile: 'vgabios-stdvga.bin', romName: 'vga', vram: { kind: 'vgamem_mb' }, legacyVgaWindow: true },
  'secondary-vga': { romName: 'vga', vram: { kind: 'vgamem_mb' } },
  'virtio-vga': { romfile: 'vgabios-virtio.bin', romName: 'virtio-vga', vram: { kind: 'fixed', bytes: 8 * MiB }, legacyVgaWindow: true },
  'cirrus-vga': { romfile: 'vgabios-cirrus.bin', romName: 'cirrus_vga', vram: { kind: 'vgamem_mb', allowedMiB: [4, 8, 16] }, legacyVgaWindow: true },
  'ati-vga': { romfile: 'vgabios-ati.bin', romName: 'ati-vga', vram: { kind: 'vgamem_mb' }, legacyVgaWindow: true },
  'bochs-display': { romfile: 'vgabios-bochs-display.bin', romName: 'bochs-display', vram: { kind: 'vgamem', region: 'bochs-display-vram' } },
  'vmware-svga': {
    romfile: 'vgabios-vmware.bin',
    romName: 'vmware_vga',
    vram: { kind: 'vgamem_mb' },
    globalBlocks: [{ idstr: 'vmsvga.fifo', bytes: 64 * KiB }],
    legacyVgaWindow: true,
  },
};

const pow2ceil = (n: number): number => 2 ** Math.ceil(Math.log2(n));
const isPowerOfTwo = (n: number): boolean => n > 0 && pow2ceil(n) === n;

/**
 * What a PCI device's realize adds: its blocks in the order it creates them (the display's RAM,
 * then pci_qdev_realize's ROM); throws QEMU's refusal where its realize fails.
 */
export function pciDeviceMemory(device: PciDeviceRam, r: Release): PciDeviceMemory {
  // pci_qdev_realize checks romsize of any PCI device, with or without a ROM.
  if (device.romsize !== undefined && !isPowerOfTwo(device.romsize)) throw machineErrors.error('pci.romsize-not-power-of-two', { romsize: device.romsize });
  const spec = PCI_RAM_DEVICES[device.type];
  return spec ? { blocks: specBlocks(spec, device, r), legacyVgaWindow: spec.legacyVgaWindow === true } : { blocks: [], legacyVgaWindow: false };
}

function specBlocks(spec: PciRamDevice, device: PciDeviceRam, r: Release): readonly FirmwareBlock[] {
  // Video RAM and the FIFO hold zeros until the guest draws.
  const ram = (idstr: string, bytes: number): FirmwareBlock => ({ idstr, usedLength: bytes, maxLength: bytes, readOnly: false, dataPages: 0 });
  // vmsvga_init creates its FIFO before vga_common_init's video RAM.
  const blocks: FirmwareBlock[] = (spec.globalBlocks ?? []).map((b) => ram(b.idstr, b.bytes));
  const vram = spec.vram;
  if (vram?.kind === 'fixed') blocks.push(ram(`${device.devPath}/vga.vram`, vram.bytes));
  if (vram?.kind === 'vgamem_mb') {
    const mib = device.vgamemMb ?? 16;
    // pci_cirrus_vga_realize checks the size before vga_common_init clamps it.
    if (vram.allowedMiB && !vram.allowedMiB.includes(mib)) throw machineErrors.error('pci.cirrus-vram-size', { mib });
    blocks.push(ram(`${device.devPath}/vga.vram`, pow2ceil(Math.min(Math.max(mib, 1), 512)) * MiB));
  }
  if (vram?.kind === 'vgamem') {
    const bytes = device.vgamemBytes ?? 16 * MiB;
    if (bytes < 4 * MiB) throw machineErrors.error('pci.bochs-display-vgamem', { problem: 'small' });
    if (bytes > 256 * MiB) throw machineErrors.error('pci.bochs-display-vgamem', { problem: 'big' });
    blocks.push(ram(`${device.devPath}/${vram.region}`, pow2ceil(bytes)));
  }
  const file = device.romfile ?? spec.romfile;
  if (file === undefined || file === '' || device.rombar === 0) return blocks;
  const size = firmwareFiles(r).sizes[file];
  if (size === undefined) throw machineErrors.error('pci.romfile-unknown', { file, release: `${r.major}.${r.minor}` });
  // A set romsize sizes the ROM region itself; the file must fit in it.
  if (device.romsize !== undefined && size > device.romsize) throw machineErrors.error('pci.romfile-too-large', { file, size, romsize: device.romsize });
  const romSize = device.romsize ?? pow2ceil(size);
  blocks.push({ idstr: `${device.devPath}/${spec.romName}.rom`, usedLength: romSize, maxLength: romSize, readOnly: true, dataPages: romDataPages(size) });
  return blocks;
}
