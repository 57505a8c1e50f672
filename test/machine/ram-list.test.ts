import assert from 'node:assert/strict';
import { ramList, type RamListEntry } from '../../src/machine/ram-list.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const block = (idstr: string, usedLength: number, maxLength = usedLength): RamListEntry => ({
  idstr,
  pageSize: 4 * KiB,
  usedLength,
  maxLength,
  readOnly: false,
  hva: undefined,
});

describe('machine/ram-list: ram_list order and ram_addr_t offsets', () => {
  it('sorts by max length, equal ones in creation order, and places each block 256 KiB-aligned after the last (real 10.0.13, q35)', () => {
    const list = ramList([
      block('', 64 * MiB),
      block('0000:00:01.0/mem0', 256 * MiB),
      block('d0', 128 * MiB),
      block('pc.ram', 128 * MiB),
      block('pc.bios', 256 * KiB),
      block('pc.rom', 128 * KiB),
      block('0000:00:02.0/virtio-net-pci.rom', 256 * KiB),
      block('/rom@etc/acpi/tables', 128 * KiB, 2 * MiB),
      block('/rom@etc/table-loader', 4 * KiB, 64 * KiB),
      block('/rom@etc/acpi/rsdp', 4 * KiB),
    ]);
    assert.deepEqual(
      list.map((b) => `${b.idstr} 0x${b.offset.toString(16)}`),
      [
        '0000:00:01.0/mem0 0x4000000',
        'd0 0x14000000',
        'pc.ram 0x1c000000',
        ' 0x0',
        '/rom@etc/acpi/tables 0x240c0000',
        'pc.bios 0x24000000',
        '0000:00:02.0/virtio-net-pci.rom 0x24080000',
        'pc.rom 0x24040000',
        '/rom@etc/table-loader 0x242c0000',
        '/rom@etc/acpi/rsdp 0x24300000',
      ],
    );
  });

  it('an empty list', () => assert.deepEqual(ramList([]), []));
});
