/**
 * query-migrate's RAM figures of a completed migration between two paused processes of one
 * release, real QEMU against `hotmem qemu`: ram.total counts guest RAM and the firmware's
 * RAMBlocks (pc.bios, pc.rom, fw_cfg's ACPI blobs), remaining is 0, and every page is sent once,
 * as a normal or a zero (duplicate) page. A paused VM never ran, so its RAM is all zero pages on
 * both; the real firmware blocks hold SeaBIOS's code and the generated ACPI tables, a few dozen
 * pages the real binaries send with data and hotmem (which does not hold their content) sends as
 * zero pages: the normal count is compared by that bound.
 *
 * The default devices and PCI display and network devices add their option ROMs and video RAM
 * (machines/pc/option-roms.ts): ram.total counts them too, and the real binaries send the ROMs'
 * pages (the ROM file's content) as normal pages.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotmemProgram, MonitoredProcess } from '../frontends/migration/monitored-process.js';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

const MiB = 2 ** 20;
/** Firmware pages the real binaries send with data, at most (47 to 52 seen on the four Debian builds). */
const FIRMWARE_DATA_PAGES = 64;

interface Ram {
  readonly total: number;
  readonly remaining: number;
  readonly normal: number;
  readonly duplicate: number;
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
        const sent = (r: Ram) => r.normal + r.duplicate;
        assert.equal(sent(modelled), sent(real), 'pages sent');
        assert.equal(modelled.normal, 0, 'hotmem: nothing written, firmware content not held');
        assert.ok(real.normal > 0 && real.normal <= FIRMWARE_DATA_PAGES, `real normal pages ${real.normal}: the firmware's data pages only`);
      });
    }
  }
});

const KiB = 1024;

describe('conformance: RAM figures with default devices, option ROMs and video RAM (real QEMU vs hotmem qemu)', function () {
  this.timeout(120_000);
  // [what, arguments, ram.total beyond 128 MiB and the firmware's 520 KiB, KiB of option ROMs]
  const cases: readonly [string, readonly string[], number, number][] = [
    ['q35 without -nodefaults: VGA (16 MiB vram, 64 KiB ROM) and e1000e (256 KiB ROM)', ['-M', 'q35'], 16 * 1024 + 64 + 256, 64 + 256],
    ['pc -vga none: the default e1000 only', ['-M', 'pc', '-vga', 'none'], 256, 256],
    [
      'q35 -nodefaults: virtio-vga (8 MiB vram), virtio-net-pci with its ROM, with rombar=0 and with romfile= (none), rtl8139 with romfile=efi-e1000.rom',
      [
        ...['-nodefaults', '-M', 'q35', '-device', 'virtio-vga', '-device', 'virtio-net-pci', '-device', 'virtio-net-pci,rombar=0'],
        ...['-device', 'virtio-net-pci,romfile=', '-device', 'rtl8139,romfile=efi-e1000.rom'],
      ],
      8 * 1024 + 64 + 256 + 256,
      64 + 256 + 256,
    ],
  ];
  for (const q of realQemus('x86_64')) {
    for (const [what, machineArgs, extraKiB, romKiB] of cases) {
      it(`${q.suite} (${q.release}), ${what}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const args = ['-display', 'none', '-m', '128M', ...machineArgs];
        const real = await migratePaused([q.binary], args);
        const modelled = await migratePaused(hotmemProgram(q.release), args);
        assert.equal(real.total, 128 * MiB + (520 + extraKiB) * KiB);
        assert.equal(modelled.total, real.total, 'ram.total: guest RAM, the firmware, option ROMs and video RAM');
        const sent = (r: Ram) => r.normal + r.duplicate;
        assert.equal(sent(modelled), sent(real), 'pages sent');
        assert.ok(real.normal <= FIRMWARE_DATA_PAGES + romKiB / 4, `real normal pages ${real.normal}: firmware and ROM data only`);
      });
    }
  }
});
