import assert from 'node:assert/strict';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { migrate } from '../../../src/migration/engine.js';
import { queryMigrate } from '../../../src/migration/index.js';
import { spec } from '../../cli/qemu-process-helpers.js';

const KiB = 1024;
const machine = (m: string, release = '7.2') =>
  QemuProcess.replay({ spec: spec(['-nodefaults', '-display', 'none', '-M', m, '-m', '128M'], { qemuVersion: release }), history: [] }).machine;
const blocks = (m: string, release?: string) =>
  machine(m, release)
    .firmwareBlocks()
    .map((b) => `${b.idstr} ${b.usedLength / KiB}`);

describe('machines/pc/firmware: the firmware RAMBlocks migration sends besides guest RAM', () => {
  // As `info ramblock` lists them on real 7.2 (and 5.2, 10.0, 11.1 for the types they have), in creation order.
  const table: readonly [string, readonly string[]][] = [
    ['pc-q35-7.2', ['pc.bios 256', 'pc.rom 128', '/rom@etc/acpi/tables 128', '/rom@etc/table-loader 4', '/rom@etc/acpi/rsdp 4']],
    ['pc-i440fx-2.3', ['pc.bios 256', 'pc.rom 128', '/rom@etc/acpi/tables 128', '/rom@etc/table-loader 4', '/rom@etc/acpi/rsdp 4']],
    ['pc-i440fx-2.2', ['pc.bios 256', 'pc.rom 128', '/rom@etc/acpi/tables 128', '/rom@etc/table-loader 4']],
    ['pc-i440fx-2.0', ['pc.bios 256', 'pc.rom 128', '/rom@etc/acpi/tables 8', '/rom@etc/table-loader 4']],
    ['pc-i440fx-1.7', ['pc.bios 128', 'pc.rom 128', '/rom@genroms/kvmvapic.bin 12', '/rom@etc/acpi/tables 8', '/rom@etc/table-loader 4']],
    ['pc-i440fx-1.4', ['pc.bios 128', 'pc.rom 128']],
    ['pc-q35-7.2,acpi=off', ['pc.bios 256', 'pc.rom 128']],
  ];
  for (const [m, expected] of table) it(m, () => assert.deepEqual(blocks(m), expected));

  it('s390-ccw-virtio has none', () => {
    const s390 = QemuProcess.replay({
      spec: spec(['-nodefaults', '-display', 'none', '-M', 's390-ccw-virtio', '-m', '128M'], { arch: 's390x' }),
      history: [],
    }).machine;
    assert.deepEqual(s390.firmwareBlocks(), []);
  });

  it("ram.total counts them, as the real binaries' 134750208 for 128 MiB on q35 and i440fx", () => {
    for (const m of ['pc-q35-7.2', 'pc-i440fx-7.2']) {
      const source = machine(m);
      assert.equal(migrate(source, machine(m), { bandwidth: 1.25e9 }).kind, 'completed');
      assert.equal((queryMigrate(source) as { ram: { total: number } }).ram.total, 134750208, m);
    }
  });

  it('a destination with acpi=off does not know the ACPI blobs, as real 7.2 refuses them', () => {
    const out = migrate(machine('pc-q35-7.2'), machine('pc-q35-7.2,acpi=off'), { bandwidth: 1.25e9 });
    assert.ok(out.kind === 'failed', out.kind);
    assert.deepEqual(out.log, [
      'Unknown ramblock "/rom@etc/acpi/tables", cannot accept migration',
      "error while loading state for instance 0x0 of device 'ram'",
      'load of migration failed: Invalid argument',
    ]);
  });
});
