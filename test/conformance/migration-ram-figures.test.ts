/**
 * query-migrate's RAM figures of a completed migration between two paused processes of one
 * release, real QEMU against `hotmem qemu`: ram.total counts guest RAM and the firmware's
 * RAMBlocks (pc.bios, pc.rom, fw_cfg's ACPI blobs), remaining is 0, and every page is sent once,
 * as a normal or a zero (duplicate) page. A paused VM never ran, so its RAM is all zero pages on
 * both; the firmware's data pages (SeaBIOS's image, the ACPI table loader and RSDP) and the
 * option ROMs' (machines/pc/option-roms.ts) go as normal pages on both. The generated ACPI
 * tables' data (1 to 4 pages, growing with vCPUs and devices) is not modelled: hotmem sends
 * those pages as zero pages, so its normal count may fall short by that much, exactly 0 with
 * acpi=off. ram.transferred is compared before 8.2, where it counts the RAM pages only; from 8.2
 * it counts the whole stream, device state included, which hotmem does not model byte for byte.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotmemProgram, MonitoredProcess } from '../frontends/migration/monitored-process.js';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';
import { compareReleases, release } from '../../src/core/release.js';
import { EOS_BYTES } from '../../src/migration/ram-transfer.js';

const MiB = 2 ** 20;
/** The ACPI tables' data pages, which hotmem sends as zero pages: at most (1 to 3 seen with one vCPU on the four Debian builds). */
const ACPI_TABLE_DATA_PAGES = 3;
/** A data page costs its 4096 bytes where a zero page costs one. */
const DATA_PAGE_EXTRA = 4095;

interface Ram {
  readonly total: number;
  readonly remaining: number;
  readonly normal: number;
  readonly duplicate: number;
  readonly transferred: number;
}

/**
 * The page kinds agree but for the ACPI tables' data pages (`acpiPages` of them at most), and
 * before 8.2 ram.transferred differs by what those pages' data cost (and by the end markers of
 * iterations the real process's timing adds).
 */
function assertPageKinds(modelled: Ram, real: Ram, q: string, acpiPages: number): void {
  const sent = (r: Ram) => r.normal + r.duplicate;
  assert.equal(sent(modelled), sent(real), 'pages sent');
  const missing = real.normal - modelled.normal;
  assert.ok(missing >= 0 && missing <= acpiPages, `normal pages: real ${real.normal}, hotmem ${modelled.normal}`);
  if (compareReleases(release(q), release('8.2')) >= 0) return;
  // Each iteration ends with an 8-byte RAM_SAVE_FLAG_EOS: how many the real process runs depends on its timing.
  const eos = real.transferred - modelled.transferred - missing * DATA_PAGE_EXTRA;
  assert.ok(eos >= 0 && eos <= 2 * EOS_BYTES && eos % EOS_BYTES === 0, `ram.transferred: real ${real.transferred}, hotmem ${modelled.transferred}`);
}

async function migratePaused(program: readonly string[], args: readonly string[]): Promise<Ram> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-ramfig-'));
  const started: MonitoredProcess[] = [];
  try {
    const sock = join(dir, 'mig.sock');
    const dst = await MonitoredProcess.start(program, [...args, '-incoming', `unix:${sock}`], join(dir, 'dst.qmp'));
    started.push(dst);
    const src = await MonitoredProcess.start(program, [...args, '-S'], join(dir, 'src.qmp'));
    started.push(src);
    await src.execute('migrate', { uri: `unix:${sock}` });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const reply = await src.execute('query-migrate');
      const info = ('return' in reply ? reply.return : {}) as { status?: string; ram?: Ram };
      if (info.status === 'completed' && info.ram) return info.ram;
      if (info.status === 'failed' || Date.now() > deadline) throw new Error(`migration ended ${JSON.stringify(info)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('conformance: RAM figures of a paused migration (real QEMU vs hotmem qemu)', function () {
  this.timeout(120_000);
  for (const q of realQemus('x86_64')) {
    for (const machine of ['q35', 'pc']) {
      it(`${q.suite} (${q.release}), ${machine}, 128 MiB and a 256 MiB virtio-mem backend (requested 64 MiB, no driver)`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const args = [
          ...['-nodefaults', '-display', 'none', '-M', machine, '-m', '128M,maxmem=1G'],
          ...['-object', 'memory-backend-ram,id=mem0,size=256M', '-device', 'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=64M'],
        ];
        const real = await migratePaused([q.binary], args);
        const modelled = await migratePaused(hotmemProgram(q.release), args);
        assert.equal(modelled.total, real.total, 'ram.total: guest RAM, the whole backend and the firmware');
        assert.equal(real.total, (128 + 256) * MiB + 520 * 1024);
        assert.deepEqual([modelled.remaining, real.remaining], [0, 0]);
        // Boot RAM and the firmware, each page once; nothing is plugged (requested-size waits for a driver) and unplugged blocks are skipped.
        assertPageKinds(modelled, real, q.release, ACPI_TABLE_DATA_PAGES);
      });
    }
  }
});

const KiB = 1024;

describe('conformance: RAM figures with default devices, option ROMs and video RAM (real QEMU vs hotmem qemu)', function () {
  this.timeout(120_000);
  // [what, arguments, ram.total beyond 128 MiB and the firmware's 520 KiB, whether the board has ACPI]
  const cases: readonly [string, readonly string[], number, boolean][] = [
    ['q35 without -nodefaults: VGA (16 MiB vram, 64 KiB ROM) and e1000e (256 KiB ROM)', ['-M', 'q35'], 16 * 1024 + 64 + 256, true],
    ['pc -vga none: the default e1000 only', ['-M', 'pc', '-vga', 'none'], 256, true],
    [
      'pc,acpi=off -nodefaults: i82559er (pxe-eepro100.rom), cirrus-vga (4 MiB vram) and secondary-vga, every data page modelled',
      ['-nodefaults', '-M', 'pc,acpi=off', '-device', 'i82559er', '-device', 'cirrus-vga', '-device', 'secondary-vga'],
      // No ACPI blobs (136 KiB); a 128 KiB ROM, cirrus's video RAM and ROM, secondary-vga's video RAM.
      -136 + 128 + 4 * 1024 + 64 + 16 * 1024,
      false,
    ],
    [
      'q35 -nodefaults: virtio-vga (8 MiB vram), virtio-net-pci with its ROM, with rombar=0 and with romfile= (none), rtl8139 with romfile=efi-e1000.rom',
      [
        ...['-nodefaults', '-M', 'q35', '-device', 'virtio-vga', '-device', 'virtio-net-pci', '-device', 'virtio-net-pci,rombar=0'],
        ...['-device', 'virtio-net-pci,romfile=', '-device', 'rtl8139,romfile=efi-e1000.rom'],
      ],
      8 * 1024 + 64 + 256 + 256,
      true,
    ],
  ];
  for (const q of realQemus('x86_64')) {
    for (const [what, machineArgs, extraKiB, acpi] of cases) {
      it(`${q.suite} (${q.release}), ${what}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const args = ['-display', 'none', '-m', '128M', ...machineArgs];
        const real = await migratePaused([q.binary], args);
        const modelled = await migratePaused(hotmemProgram(q.release), args);
        assert.equal(real.total, 128 * MiB + (520 + extraKiB) * KiB);
        assert.equal(modelled.total, real.total, 'ram.total: guest RAM, the firmware, option ROMs and video RAM');
        assertPageKinds(modelled, real, q.release, acpi ? ACPI_TABLE_DATA_PAGES : 0);
      });
    }
  }
});
