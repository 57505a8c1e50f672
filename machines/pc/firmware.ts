/**
 * The RAMBlocks a pc machine's firmware takes besides guest RAM, which migration lists and sends
 * like RAM (ram_bytes_total counts their used length), read from `info ramblock` of the real
 * 5.2, 7.2, 10.0 and 11.1 binaries (the same on all four) for each machine version:
 *
 * - pc.bios: SeaBIOS, 256 KiB (bios-256k.bin) from pc-i440fx-2.0, 128 KiB for 1.7 and older;
 * - pc.rom: the 128 KiB option ROM area (PC_ROM_SIZE);
 * - fw_cfg's blobs, RAMBlocks from 1.7 (rom_file_has_mr), with ACPI: the tables, rounded up to
 *   ACPI_BUILD_TABLE_SIZE (128 KiB) from 2.1 (tables past 128 KiB, hundreds of vCPUs, would take
 *   256 KiB: not modelled), the table loader (one page) and, from 2.3
 *   (rsdp_in_ram), the RSDP (one page). 1.7 and 2.0 size their tables as QEMU 2.0 did
 *   (legacy_acpi_table_size): two pages with one vCPU and the default devices; 1.7 also keeps
 *   option ROMs in RAM (option_rom_has_mr), the 12 KiB kvmvapic.bin among them.
 *
 * The isa-bios region is an alias of pc.bios, not a block of its own. The blobs are resizeable:
 * the tables reserve ACPI_BUILD_TABLE_MAX_SIZE (2 MiB), and from 6.0 (acpi_add_rom_blob sizing
 * by name, 6930ba0d44) the table loader reserves 64 KiB, where 5.x reserved only its used page.
 * The board creates pc.bios, pc.rom and kvmvapic.bin at init, before any device, and the ACPI
 * blobs at machine-done (acpi_setup), after every -device.
 */
import type { BoardFirmware, FirmwareBlock, MachineVersion } from '../../src/machine/family.js';
import type { QomObject } from '../../src/qom/object.js';
import { inWindow, type Release } from '../../src/core/release.js';
import { firmwareFiles } from './firmware-files.js';
import { pcBiosSize } from './layout.js';

const KiB = 1024;
const PAGE = 4 * KiB;

/** QEMU's own kvmvapic.bin (9216 bytes in the four Debian builds): its last, partial page is zero. */
const KVMVAPIC_DATA_PAGES = 2;

const rom = (idstr: string, usedLength: number, dataPages: number, maxLength = usedLength): FirmwareBlock => ({
  idstr,
  usedLength,
  maxLength,
  readOnly: true,
  dataPages,
});

/**
 * The blocks and their data pages: the BIOS image's; none in pc.rom, which only the guest's
 * firmware fills; the table loader's and the RSDP's one page each. The ACPI tables' data
 * (bytes of generated tables, padded to the block: 1 to 4 pages on the real binaries, growing
 * with vCPUs and devices) is not modelled: their pages count as zero pages.
 */
export function pcFirmwareBlocks(machine: QomObject, v: MachineVersion, r: Release): BoardFirmware {
  const biosSize = pcBiosSize(v);
  const bios = firmwareFiles(r).biosDataPages[biosSize === 256 * KiB ? 'bios-256k.bin' : 'bios.bin'];
  const atInit = [rom('pc.bios', biosSize, bios), rom('pc.rom', 128 * KiB, 0)];
  const atMachineDone: FirmwareBlock[] = [];
  if (!v.atLeast(1, 7)) return { atInit, atMachineDone };
  if (!v.atLeast(2, 0)) atInit.push(rom('/rom@genroms/kvmvapic.bin', 3 * PAGE, KVMVAPIC_DATA_PAGES));
  // x86_machine_is_acpi_enabled: anything but acpi=off.
  if (machine.get('acpi') !== 'off') {
    atMachineDone.push(rom('/rom@etc/acpi/tables', v.atLeast(2, 1) ? 128 * KiB : 2 * PAGE, 0, 2 * 1024 * KiB));
    atMachineDone.push(rom('/rom@etc/table-loader', PAGE, 1, inWindow(r, { since: '6.0' }) ? 64 * KiB : PAGE));
    if (v.atLeast(2, 3)) atMachineDone.push(rom('/rom@etc/acpi/rsdp', PAGE, 1));
  }
  return { atInit, atMachineDone };
}
