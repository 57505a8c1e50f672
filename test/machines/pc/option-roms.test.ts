import assert from 'node:assert/strict';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { release } from '../../../src/core/release.js';
import { HotmemError } from '../../../src/core/errors.js';
import { migrate } from '../../../src/migration/engine.js';
import { queryMigrate } from '../../../src/migration/index.js';
import { pciDeviceMemory } from '../../../machines/pc/option-roms.js';
import { dumpGuestMemory } from '../../../src/machine/dump.js';
import { spec } from '../../cli/qemu-process-helpers.js';

const KiB = 1024;
const FIRMWARE = ['pc.bios', 'pc.rom', '/rom@etc/acpi/tables', '/rom@etc/table-loader', '/rom@etc/acpi/rsdp'];

const machine = (argv: readonly string[], qemuVersion = '10.0', memory = '128M') =>
  QemuProcess.replay({ spec: spec(['-display', 'none', '-m', memory, ...argv], { qemuVersion }), history: [] }).machine;
/** The blocks besides the board's firmware, as `info ramblock` names and sizes them. */
const deviceBlocks = (argv: readonly string[], qemuVersion?: string) =>
  machine(argv, qemuVersion)
    .firmwareBlocks()
    .filter((b) => !FIRMWARE.includes(b.idstr))
    .map((b) => `${b.idstr} ${b.usedLength / KiB}`);

describe('machines/pc/option-roms: option ROM and video RAM blocks of PCI devices', () => {
  // As `info ramblock` of the real 5.2, 7.2, 10.0 and 11.1 binaries lists them.
  const table: readonly [string, readonly string[]][] = [
    ['-M q35', ['0000:00:01.0/vga.vram 16384', '0000:00:01.0/vga.rom 64', '0000:00:02.0/e1000e.rom 256']],
    ['-M pc', ['0000:00:02.0/vga.vram 16384', '0000:00:02.0/vga.rom 64', '0000:00:03.0/e1000.rom 256']],
    ['-M pc-q35-2.11', ['0000:00:01.0/vga.vram 16384', '0000:00:01.0/vga.rom 64', '0000:00:02.0/e1000.rom 256']],
    ['-M q35 -vga none', ['0000:00:01.0/e1000e.rom 256']],
    ['-M q35 -nic none', ['0000:00:01.0/vga.vram 16384', '0000:00:01.0/vga.rom 64']],
    ['-M q35 -net none -vga none', []],
    ['-M q35 -nodefaults', []],
    ['-M q35 -device virtio-vga', ['0000:00:01.0/e1000e.rom 256', '0000:00:02.0/vga.vram 8192', '0000:00:02.0/virtio-vga.rom 64']],
    ['-M q35 -nodefaults -device virtio-net-pci -device virtio-net-pci,rombar=0 -device e1000,romfile=', ['0000:00:01.0/virtio-net-pci.rom 256']],
    ['-M q35 -nodefaults -device rtl8139,romfile=efi-e1000.rom -device ne2k_pci', ['0000:00:01.0/rtl8139.rom 256', '0000:00:02.0/ne2000.rom 256']],
    ['-M q35 -nodefaults -device i82559er -device VGA,vgamem_mb=3', ['0000:00:01.0/i82559er.rom 128', '0000:00:02.0/vga.vram 4096', '0000:00:02.0/vga.rom 64']],
    ['-M q35 -nodefaults -device VGA,vgamem_mb=1024', ['0000:00:01.0/vga.vram 524288', '0000:00:01.0/vga.rom 64']],
    ['-M q35 -nodefaults -device cirrus-vga', ['0000:00:01.0/vga.vram 4096', '0000:00:01.0/cirrus_vga.rom 64']],
    ['-M q35 -nodefaults -device secondary-vga', ['0000:00:01.0/vga.vram 16384']],
    ['-M q35 -nodefaults -device bochs-display,vgamem=5M', ['0000:00:01.0/bochs-display-vram 8192', '0000:00:01.0/bochs-display.rom 32']],
    ['-M q35 -nodefaults -device vmware-svga', ['vmsvga.fifo 64', '0000:00:01.0/vga.vram 16384', '0000:00:01.0/vmware_vga.rom 64']],
  ];
  for (const [argv, expected] of table) {
    for (const r of ['5.2', '10.0']) it(`${r} ${argv}`, () => assert.deepEqual(deviceBlocks(argv.split(' '), r), expected));
  }

  it("refuses bochs-display's video memory below 4 MiB and above 256 MiB as QEMU does", () => {
    const bochs = (vgamemBytes: number) =>
      pciDeviceMemory(
        { type: 'bochs-display', devPath: '0000:00:01.0', romfile: undefined, rombar: 1, romsize: undefined, vgamemMb: undefined, vgamemBytes },
        release('10.0'),
      );
    assert.throws(
      () => bochs(4 * 1024 * KiB - 1),
      (e: unknown) => e instanceof HotmemError && e.message === 'bochs-display: video memory too small',
    );
    assert.throws(
      () => bochs(257 * 1024 * KiB),
      (e: unknown) => e instanceof HotmemError && e.message === 'bochs-display: video memory too big',
    );
    assert.equal(bochs(256 * 1024 * KiB).blocks[0]?.usedLength, 256 * 1024 * KiB);
  });

  it("refuses cirrus-vga's sizes other than 4, 8 and 16 MiB as QEMU does", () => {
    const cirrus = (vgamemMb: number) =>
      pciDeviceMemory(
        { type: 'cirrus-vga', devPath: '0000:00:01.0', romfile: undefined, rombar: 1, romsize: undefined, vgamemMb, vgamemBytes: undefined },
        release('7.2'),
      );
    assert.throws(
      () => cirrus(2),
      (e: unknown) => e instanceof HotmemError && e.message === "Invalid cirrus_vga ram size '2'",
    );
    assert.equal(cirrus(8).blocks[0]?.usedLength, 8 * 1024 * KiB);
  });

  it('checks romsize as pci_qdev_realize and pci_add_option_rom do (real 7.2 and 11.1; 5.2 has no romsize)', () => {
    const e1000 = (romsize: number, romfile?: string) =>
      pciDeviceMemory({ type: 'e1000', devPath: '0000:00:02.0', romfile, rombar: -1, romsize, vgamemMb: undefined, vgamemBytes: undefined }, release('11.1'));
    const refusal = (text: string) => (e: unknown) => e instanceof HotmemError && e.message === text;
    assert.throws(() => e1000(3000), refusal('ROM size 3000 is not a power of two'));
    assert.throws(() => e1000(3000, ''), refusal('ROM size 3000 is not a power of two'));
    assert.throws(() => e1000(131072), refusal('romfile "efi-e1000.rom" (262144 bytes) is too large for ROM size 131072'));
    assert.deepEqual(e1000(1024 * KiB).blocks, [
      { idstr: '0000:00:02.0/e1000.rom', usedLength: 1024 * KiB, maxLength: 1024 * KiB, readOnly: true, dataPages: 64 },
    ]);
    assert.deepEqual(e1000(4 * KiB, '').blocks, []);
  });

  it('says it does not know a romfile outside the modelled firmware files', () => {
    assert.throws(
      () =>
        pciDeviceMemory(
          { type: 'e1000', devPath: '0000:00:02.0', romfile: '/srv/my.rom', rombar: -1, romsize: undefined, vgamemMb: undefined, vgamemBytes: undefined },
          release('10.0'),
        ),
      (e: unknown) =>
        e instanceof HotmemError &&
        e.message === 'hotmem does not know the size of romfile "/srv/my.rom": it models the firmware files a Debian installation of QEMU 10.0 has',
    );
  });

  it("rounds each ROM file up to a power of two: bullseye's 249344-byte efi-virtio.rom and sid's 262144-byte one both take 256 KiB", () => {
    for (const r of ['5.2', '11.1']) {
      const {
        blocks: [rom],
      } = pciDeviceMemory(
        { type: 'virtio-net-pci', devPath: '0000:00:03.0', romfile: undefined, rombar: 1, romsize: undefined, vgamemMb: undefined, vgamemBytes: undefined },
        release(r),
      );
      assert.deepEqual(
        rom,
        { idstr: '0000:00:03.0/virtio-net-pci.rom', usedLength: 256 * KiB, maxLength: 256 * KiB, readOnly: true, dataPages: r === '5.2' ? 61 : 64 },
        r,
      );
    }
  });

  it("ram.total counts them: 16 MiB, the firmware and q35's default VGA and e1000e", () => {
    const source = machine(['-M', 'q35'], '10.0', '16M');
    assert.equal(migrate(source, machine(['-M', 'q35'], '10.0', '16M'), { bandwidth: 1.25e9 }).kind, 'completed');
    assert.equal((queryMigrate(source) as { ram: { total: number } }).ram.total, (16 * 1024 + 520 + 16 * 1024 + 64 + 256) * KiB);
  });

  it("dump-guest-memory leaves out the RAM beneath a VGA-compatible display's legacy window, as the real binaries do", () => {
    // DUMP_COMPLETED's total on real 5.2 to 11.1, q35 and pc alike: 134479872 bytes without a VGA, 128 KiB less with one.
    const table: readonly [string, number][] = [
      ['-M q35 -nodefaults', 134479872],
      ['-M pc -vga none', 134479872],
      ['-M q35 -nic none', 134348800],
      ['-M pc', 134348800],
      ['-M q35 -nodefaults -device virtio-vga', 134348800],
      ['-M q35 -nodefaults -device secondary-vga', 134479872],
    ];
    for (const [argv, total] of table) assert.equal(dumpGuestMemory(machine(argv.split(' '))).total, total, argv);
  });

  it('a destination without the default NIC does not know its ROM', () => {
    const out = migrate(machine(['-M', 'q35']), machine(['-M', 'q35', '-nic', 'none']), { bandwidth: 1.25e9 });
    assert.ok(out.kind === 'failed', out.kind);
    assert.equal(out.log[0], 'Unknown ramblock "0000:00:02.0/e1000e.rom", cannot accept migration');
  });
});
