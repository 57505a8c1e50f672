/**
 * dump-guest-memory of a paused VM with and without QEMU's default devices, real QEMU against
 * `hotmem qemu` on the same arguments: DUMP_COMPLETED's total is guest RAM and pc.bios, less the
 * 128 KiB beneath the legacy VGA window where a VGA-compatible display claims it (the default
 * VGA, virtio-vga; not secondary-vga). Option ROMs and video RAM are not dumped: their BARs are
 * unmapped until the firmware programs them. (ram.total's figures are in migration-ram-figures.)
 * A PCI device's romsize (6.0 on) and bochs-display's vgamem are checked at start-up as the binaries check them.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotmemProgram, MonitoredProcess } from '../frontends/migration/monitored-process.js';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';
import { assertSameStartup } from './transcripts.js';

async function dumpTotal(program: readonly string[], args: readonly string[]): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-fwdump-'));
  const vm = await MonitoredProcess.start(program, [...args, '-S'], join(dir, 'qmp'));
  try {
    await vm.execute('dump-guest-memory', { paging: false, protocol: `file:${join(dir, 'dump')}` });
    await vm.until((events) => events.some((e) => e.event === 'DUMP_COMPLETED'));
    return vm.events.find((e) => e.event === 'DUMP_COMPLETED')?.data;
  } finally {
    await vm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('conformance: dump-guest-memory with default devices and displays (real QEMU vs hotmem qemu)', function () {
  this.timeout(60_000);
  const cases: readonly [string, readonly string[]][] = [
    ['q35 without -nodefaults', ['-M', 'q35']],
    ['pc -vga none', ['-M', 'pc', '-vga', 'none']],
    ['q35 -nodefaults -device virtio-vga', ['-M', 'q35', '-nodefaults', '-device', 'virtio-vga']],
    ['q35 -nodefaults -device secondary-vga', ['-M', 'q35', '-nodefaults', '-device', 'secondary-vga']],
  ];
  for (const q of realQemus('x86_64')) {
    for (const [what, machineArgs] of cases) {
      it(`${q.suite} (${q.release}), ${what}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const args = ['-display', 'none', '-m', '128M', ...machineArgs];
        const real = await dumpTotal([q.binary], args);
        assert.deepEqual(await dumpTotal(hotmemProgram(q.release), args), real);
      });
    }
  }
});

describe('conformance: romsize and bochs-display video memory at start-up (real QEMU vs hotmem qemu)', function () {
  this.timeout(60_000);
  // 6.0 added romsize: 5.2 refuses the property itself.
  const cases: readonly string[] = [
    ...['e1000,romsize=3000', 'e1000,romsize=131072', 'VGA,romsize=8192', 'virtio-net-pci,romsize=3000,romfile='],
    ...['bochs-display,vgamem=3M', 'bochs-display,vgamem=300M'],
  ];
  for (const q of realQemus('x86_64')) {
    for (const device of cases) {
      it(`${q.suite} (${q.release}), -device ${device}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        await assertSameStartup(q, ['-display', 'none', '-nodefaults', '-S', '-M', 'pc', '-device', device], 10_000);
      });
    }
  }
});
