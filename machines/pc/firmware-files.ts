/**
 * The firmware files of an installation, which QEMU copies into its ROM RAMBlocks: their sizes
 * and how many of their pages hold data. They come from the firmware packages, not from QEMU: the
 * table holds what each Debian build's packages install (read from the roots' /usr/share/qemu,
 * /usr/lib/ipxe/qemu and /usr/share/seabios). A release without a Debian build here takes the
 * newest older one's files (the oldest's for releases before it); every recorded ROM file rounds
 * to the same power of two in all four, so only the file's own size (not the block's) can differ.
 *
 * Every 4 KiB page of each recorded iPXE and SeaVGABIOS image holds data; the SeaBIOS images are padded with whole zero pages, so their data pages are
 * recorded (counted in the four roots' files, and seen as query-migrate's normal pages).
 */
import { compareReleases, release, type Release } from '../../src/core/release.js';

interface FirmwareFiles {
  readonly release: string;
  /** The packages the sizes were read from. */
  readonly source: string;
  /** The option ROM images by file name, in bytes. */
  readonly sizes: Readonly<Record<string, number>>;
  /** SeaBIOS's pc.bios images (bios-256k.bin, and the 128 KiB bios.bin of pc-i440fx-1.7 and older): their data pages. */
  readonly biosDataPages: { readonly 'bios-256k.bin': number; readonly 'bios.bin': number };
}

const IPXE_2019 = {
  'efi-e1000.rom': 249856,
  'efi-e1000e.rom': 249856,
  'efi-virtio.rom': 249344,
  'efi-rtl8139.rom': 249856,
  'efi-ne2k_pci.rom': 245760,
  'efi-pcnet.rom': 246272,
  'efi-vmxnet3.rom': 243712,
  'pxe-eepro100.rom': 75264,
} as const;

const IPXE_EFI_2025 = {
  'efi-e1000.rom': 262144,
  'efi-e1000e.rom': 262144,
  'efi-virtio.rom': 262144,
  'efi-rtl8139.rom': 262144,
  'efi-ne2k_pci.rom': 262144,
  'efi-pcnet.rom': 262144,
  'efi-vmxnet3.rom': 262144,
} as const;

/** Each Debian build's firmware files, oldest release first. */
const DEBIAN_FIRMWARE_FILES: readonly FirmwareFiles[] = [
  {
    release: '5.2',
    source: 'Debian bullseye: ipxe-qemu 1.0.0+git-20190125.36a4c85-5.1, seabios 1.14.0-2',
    biosDataPages: { 'bios-256k.bin': 44, 'bios.bin': 32 },
    sizes: {
      ...IPXE_2019,
      'vgabios-stdvga.bin': 39424,
      'vgabios-virtio.bin': 39424,
      'vgabios-cirrus.bin': 39424,
      'vgabios-vmware.bin': 39424,
      'vgabios-ati.bin': 39424,
      'vgabios-bochs-display.bin': 28672,
    },
  },
  {
    release: '7.2',
    source: 'Debian bookworm: ipxe-qemu 1.0.0+git-20190125.36a4c85-5.1, seabios 1.16.2-1',
    biosDataPages: { 'bios-256k.bin': 46, 'bios.bin': 32 },
    sizes: {
      ...IPXE_2019,
      'vgabios-stdvga.bin': 39936,
      'vgabios-virtio.bin': 39936,
      'vgabios-cirrus.bin': 39424,
      'vgabios-vmware.bin': 39936,
      'vgabios-ati.bin': 39936,
      'vgabios-bochs-display.bin': 28672,
    },
  },
  {
    release: '10.0',
    source: 'Debian trixie: ipxe-qemu 1.21.1+git20250501.dad20602+dfsg-1, seabios 1.16.3-2',
    biosDataPages: { 'bios-256k.bin': 47, 'bios.bin': 32 },
    sizes: {
      ...IPXE_EFI_2025,
      'pxe-eepro100.rom': 109056,
      'vgabios-stdvga.bin': 39424,
      'vgabios-virtio.bin': 39424,
      'vgabios-cirrus.bin': 38912,
      'vgabios-vmware.bin': 39424,
      'vgabios-ati.bin': 39424,
      'vgabios-bochs-display.bin': 28672,
    },
  },
  {
    release: '11.1',
    source: 'Debian sid: ipxe-qemu 2.0.0+dfsg-5, seabios 1.17.0-1',
    biosDataPages: { 'bios-256k.bin': 44, 'bios.bin': 29 },
    sizes: {
      ...IPXE_EFI_2025,
      'pxe-eepro100.rom': 108032,
      'vgabios-stdvga.bin': 39424,
      'vgabios-virtio.bin': 39424,
      'vgabios-cirrus.bin': 39424,
      'vgabios-vmware.bin': 39424,
      'vgabios-ati.bin': 39424,
      'vgabios-bochs-display.bin': 28160,
    },
  },
];

/** The firmware files an installation of `r` has: its Debian build's, else the nearest older one's. */
export function firmwareFiles(r: Release): FirmwareFiles {
  const older = DEBIAN_FIRMWARE_FILES.filter((f) => compareReleases(release(f.release), r) <= 0);
  return older.at(-1) ?? DEBIAN_FIRMWARE_FILES[0]!;
}

const PAGE = 4096;

/** The data pages of a ROM image copied to the start of its block: every page it covers. */
export const romDataPages = (bytes: number): number => Math.ceil(bytes / PAGE);
