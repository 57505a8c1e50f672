import assert from 'node:assert/strict';
import { GiB, KiB, MiB } from '../../src/core/units.js';
import type { GuestAccess } from '../../src/guest/memory-port.js';
import { guestMemoryPort, machineGuestMemory } from '../../src/machine/guest-memory.js';
import type { RamBlock } from '../../src/machine/ram-block.js';
import type { RamLookup, RamPiece } from '../../src/machine/ram-map.js';
import { startVirtioMem } from '../devices/virtio-mem/helpers.js';

describe('machine/guest-memory: one view of guest-physical memory', () => {
  describe('a lookup with a hole and a block without a host mapping', () => {
    const block: RamBlock = { name: 'b', idstr: 'b', size: 2 * MiB, shared: false, hasFd: false, pageSize: 4 * KiB, mapping: undefined };
    // RAM at [0, 1 MiB) and [2 MiB, 3 MiB) of one block, a hole between.
    const PIECES: readonly RamPiece[] = [
      { gpa: 0, length: MiB, block, offset: 0 },
      { gpa: 2 * MiB, length: MiB, block, offset: MiB },
    ];
    const lookup: RamLookup = {
      pieces: (gpa, length) =>
        PIECES.flatMap((p) => {
          const from = Math.max(gpa, p.gpa);
          const to = Math.min(gpa + length, p.gpa + p.length);
          return from < to ? [{ ...p, gpa: from, length: to - from, offset: p.offset + (from - p.gpa) }] : [];
        }),
      pieceAt: () => assert.fail('the port asks for pieces'),
    };
    const port = guestMemoryPort(() => lookup);
    const CASES: ReadonlyArray<readonly [string, number, number, GuestAccess]> = [
      ['RAM without a host process costs nothing', 0, MiB, { kind: 'done', rssDelta: 0 }],
      ['an access into the hole stops where RAM ends', 512 * KiB, MiB, { kind: 'inaccessible', gpa: MiB }],
      ['an access starting in the hole', MiB + 4 * KiB, 8 * KiB, { kind: 'inaccessible', gpa: MiB + 4 * KiB }],
      ['an access across the hole', 0, 3 * MiB, { kind: 'inaccessible', gpa: MiB }],
      ['an access past the last RAM', 2 * MiB, 2 * MiB, { kind: 'inaccessible', gpa: 3 * MiB }],
    ];
    for (const [what, gpa, length, expected] of CASES)
      it(what, () => {
        assert.deepEqual(port.read(gpa, length), expected);
        assert.deepEqual(port.write(gpa, length, 1), expected);
        assert.deepEqual(port.zero(gpa, length), expected);
      });
  });

  describe('in a machine (q35, 1 GiB initial RAM, virtio-mem of 4 GiB at 4 GiB)', () => {
    it('a hole (above initial RAM) reads as unassigned memory: inaccessible, nothing on the host', () => {
      const f = startVirtioMem({ device: 'unplugged-inaccessible=on' });
      const before = f.machine.process.status().vmRss;
      assert.deepEqual(machineGuestMemory(f.machine).read(2 * GiB, 4 * KiB), { kind: 'inaccessible', gpa: 2 * GiB });
      assert.equal(f.machine.process.status().vmRss, before);
    });

    it('a write running off the end of initial RAM writes the RAM part and stops at the hole', () => {
      const f = startVirtioMem({ device: 'unplugged-inaccessible=on' });
      const before = f.machine.process.status().rssAnon;
      assert.deepEqual(machineGuestMemory(f.machine).write(GiB - 2 * MiB, 4 * MiB, 1), { kind: 'inaccessible', gpa: GiB });
      assert.equal(f.machine.process.status().rssAnon - before, 2 * MiB);
    });

    // QEMU maps the device's whole region (one KVM memslot), plugged or not: a guest that breaks
    // UNPLUGGED_INACCESSIBLE's promise populates the block like any RAM.
    it('an unplugged virtio-mem block with unplugged-inaccessible=on is mapped: a write populates it', () => {
      const f = startVirtioMem({ device: 'unplugged-inaccessible=on' });
      assert.equal(f.proxy.get('size'), 0);
      const before = f.machine.process.status().rssAnon;
      assert.deepEqual(machineGuestMemory(f.machine).write(f.base, 2 * MiB, 1), { kind: 'done', rssDelta: 2 * MiB });
      assert.equal(f.machine.process.status().rssAnon - before, 2 * MiB);
    });

    it('an access across initial RAM and the device region sees both (the hole between answers first)', () => {
      const f = startVirtioMem();
      assert.deepEqual(machineGuestMemory(f.machine).read(GiB - 4 * KiB, f.base - GiB + 8 * KiB), { kind: 'inaccessible', gpa: GiB });
      assert.deepEqual(machineGuestMemory(f.machine).read(f.base + 4 * GiB - 4 * KiB, 8 * KiB), { kind: 'inaccessible', gpa: f.base + 4 * GiB });
    });
  });
});
