/**
 * What booting Debian's x86_64 cloud kernel with -kernel leaves written but free in boot RAM,
 * which the host keeps resident (as THPs) until the guest's allocator hands it out again and a
 * balloon gives it back:
 *
 * - the decompressor's copy of the compressed kernel: arch/x86/boot/compressed/head_64.S moves
 *   the protected-mode image to end at LOAD_PHYSICAL_ADDR + init_size (the bzImage header's
 *   init_size, boot protocol 2.10), decompresses from there to the KASLR-chosen address, and the
 *   running kernel frees it with the rest of boot memory: [16 MiB + init_size - image, 16 MiB +
 *   init_size). From 5.10 the allocator hands boot memory out lowest address first
 *   (boot-memory-to-tail), so the first allocations after boot (a balloon's) take it;
 * - memory the kernel frees late in boot ("Freeing unused kernel image ... memory", "Freeing
 *   initrd memory") that is still free once the guest has settled: first in line.
 *
 * Observed with each suite's QEMU on the host's /proc/<pid>/pagemap before and after inflating
 * 256 MiB of a 1 GiB guest: the decompressor's range (14, 16, 12 and 16 MiB of 2 MiB THPs for
 * 5.10, 6.1, 6.12 and 7.2) is the first resident memory the balloon takes on every kernel; 7.2
 * also gives back all of its late-freed memory, while the older kernels' late-freed memory has
 * been reused by the time the guest settles (at most 2 MiB of it comes back).
 */
import type { Arch } from '../../core/arch.js';
import { kernelVersionName, type KernelVersion } from './kernel-version.js';
import { gpaRange, type GpaRange } from './ranges.js';

/** CONFIG_PHYSICAL_START of Debian's x86_64 kernels (the bzImage's pref_address). */
const LOAD_PHYSICAL_ADDR = 16 << 20;
/** Where the model puts late-freed memory: the real one lies in the KASLR-placed image. */
const IMAGE_ALIGN = 2 << 20;
const PAGE = 4096;

export interface DebianKernelImage {
  /** The package's image, whose header the figures come from. */
  readonly image: string;
  /** bzImage header field init_size (offset 0x260). */
  readonly initSize: number;
  /** The image minus its real-mode setup sectors ((setup_sects + 1) * 512): what head_64.S relocates. */
  readonly protectedModeBytes: number;
  /** Sum of the guest's late "Freeing ..." lines still free after boot; 0 where it is reused. */
  readonly lateFreedStillFree: number;
}

const KiB = 1024;

/** By kernel series; test/conformance/guest/boot-footprint.test.ts reads the roots' images against it. */
export const DEBIAN_KERNEL_IMAGES: Readonly<Record<string, DebianKernelImage>> = Object.freeze({
  '5.10': { image: 'vmlinuz-5.10.0-32-cloud-amd64', initSize: 47570944, protectedModeBytes: 12126400, lateFreedStillFree: 0 },
  '6.1': { image: 'vmlinuz-6.1.0-50-cloud-amd64', initSize: 53968896, protectedModeBytes: 14129088, lateFreedStillFree: 0 },
  '6.12': { image: 'vmlinuz-6.12.117+deb13-cloud-amd64', initSize: 58580992, protectedModeBytes: 11716544, lateFreedStillFree: 0 },
  // SMP alternatives 48K, initrd 2192K, unused decrypted 2028K, initmem 4392K, text/rodata gap
  // 1676K, rodata/data gap 1584K (the booted 7.2.13 guest's dmesg).
  '7.2': {
    image: 'vmlinuz-7.2.13+deb14-cloud-amd64',
    initSize: 63156224,
    protectedModeBytes: 14006208,
    lateFreedStillFree: (48 + 2192 + 2028 + 4392 + 1676 + 1584) * KiB,
  },
});

export interface BootFootprint {
  /** Written during boot and free afterwards, in boot memory order. */
  readonly written: readonly GpaRange[];
  /** Freed late in boot and still free: the allocator's first pages. */
  readonly hot: readonly GpaRange[];
}

const NONE: BootFootprint = Object.freeze({ written: [], hot: [] });

/**
 * The footprint of Debian's kernel of the series in boot RAM, below `reservedTop` (the boot
 * memmap). Other kernels and architectures leave none the model knows of.
 */
export function bootFootprint(kernel: KernelVersion, arch: Arch, bootRam: readonly GpaRange[], reservedTop: number): BootFootprint {
  const image = DEBIAN_KERNEL_IMAGES[kernelVersionName(kernel)];
  if (arch !== 'x86_64' || !image) return NONE;
  // Whole pages: the copy's first and last pages are written in part.
  const end = Math.ceil((LOAD_PHYSICAL_ADDR + image.initSize) / PAGE) * PAGE;
  const start = Math.floor((LOAD_PHYSICAL_ADDR + image.initSize - image.protectedModeBytes) / PAGE) * PAGE;
  const copy = gpaRange(start, end - start);
  const inRam = (r: GpaRange) => bootRam.some((b) => b.start <= r.start && r.start + r.length <= b.start + b.length);
  const late = image.lateFreedStillFree;
  const hot = late > 0 ? [gpaRange(Math.floor((reservedTop - late) / IMAGE_ALIGN) * IMAGE_ALIGN, late)] : [];
  return { written: [copy].filter(inRam), hot: hot.filter(inRam) };
}
