import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { GiB, MiB } from '../../src/core/units.js';
import { placeMemoryDevice, type PlacementRequest } from '../../src/machine/device-memory.js';

const BASE: PlacementRequest = {
  region: { base: 4 * GiB, size: 4 * GiB },
  hint: undefined,
  align: 2 * MiB,
  size: GiB,
  sizeAlign: 2 * MiB,
  placed: [],
  ramSize: GiB,
  maxRamSize: 5 * GiB,
  release: release('7.2'),
};

describe('machine/device-memory: memory_device_get_free_addr', () => {
  const PLACED: ReadonlyArray<readonly [string, Partial<PlacementRequest>, number]> = [
    ['the first device at the region start', {}, 4 * GiB],
    ['after an existing device', { placed: [{ id: 'a', addr: 4 * GiB, size: GiB }] }, 5 * GiB],
    [
      'into a gap between devices',
      {
        placed: [
          { id: 'a', addr: 4 * GiB, size: GiB },
          { id: 'b', addr: 6 * GiB, size: GiB },
        ],
      },
      5 * GiB,
    ],
    ['at an aligned address past an odd-sized device', { placed: [{ id: 'a', addr: 4 * GiB, size: 3 * MiB }] }, 4 * GiB + 4 * MiB],
    ['where the user asked', { hint: 6 * GiB }, 6 * GiB],
  ];
  for (const [what, overrides, addr] of PLACED) {
    it(`places ${what}`, () => assert.equal(placeMemoryDevice({ ...BASE, ...overrides }).addr, addr));
  }

  const REJECTED: ReadonlyArray<readonly [string, Partial<PlacementRequest>, string]> = [
    [
      'a machine without maxmem (7.2)',
      { region: { base: 0, size: 0 } },
      'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option',
    ],
    [
      'a machine without maxmem (8.1)',
      { region: { base: 0, size: 0 }, release: release('8.1') },
      'the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option',
    ],
    ['a machine with no device memory (7.2)', { region: 'unsupported' }, 'memory devices (e.g. for memory hotplug) are not supported by the machine'],
    ['a device beyond maxmem', { maxRamSize: GiB + 512 * MiB }, 'not enough space, currently 0x0 in use of total space for memory devices 0x20000000'],
    [
      'a device beyond what is left',
      { placed: [{ id: 'a', addr: 4 * GiB, size: 4 * GiB }], maxRamSize: 5 * GiB + 512 * MiB },
      'not enough space, currently 0x100000000 in use of total space for memory devices 0x120000000',
    ],
    ['an unaligned address', { hint: 4 * GiB + MiB }, 'address must be aligned to 0x200000 bytes'],
    ['a size not a multiple of the alignment', { size: GiB + MiB, maxRamSize: 8 * GiB }, 'backend memory size must be multiple of 0x200000'],
    [
      'an address outside the region',
      { hint: 8 * GiB, maxRamSize: 8 * GiB },
      "can't add memory device [0x200000000:0x40000000], usable range for memory devices [0x100000000:0x100000000]",
    ],
    [
      'a conflicting address',
      { hint: 4 * GiB, placed: [{ id: 'a', addr: 4 * GiB, size: GiB }], maxRamSize: 8 * GiB },
      "address range conflicts with memory device id='a'",
    ],
    [
      'a conflict with an anonymous device',
      { hint: 4 * GiB, placed: [{ id: undefined, addr: 4 * GiB, size: GiB }], maxRamSize: 8 * GiB },
      "address range conflicts with memory device id='(unnamed)'",
    ],
    [
      'a region with no room left at the alignment',
      { region: { base: 4 * GiB, size: 2 * GiB }, align: GiB, size: GiB, placed: [{ id: 'a', addr: 4 * GiB + 512 * MiB, size: GiB }], maxRamSize: 8 * GiB },
      'could not find position in guest address space for memory device - memory fragmented due to alignments',
    ],
  ];
  for (const [what, overrides, message] of REJECTED) {
    it(`refuses ${what}`, () => assert.throws(() => placeMemoryDevice({ ...BASE, ...overrides }), { message }));
  }

  it('warns when the alignment exceeds the region start alignment', () => {
    const { warnings } = placeMemoryDevice({
      ...BASE,
      region: { base: 5 * GiB, size: 4 * GiB },
      align: 2 * GiB,
      size: 2 * GiB,
      sizeAlign: undefined,
      maxRamSize: 9 * GiB,
    });
    assert.deepEqual(
      warnings.map((w) => w.message),
      [
        "the alignment (0x80000000) exceeds the expected maximum alignment, memory will get fragmented and not all 'maxmem' might be usable for memory devices.",
      ],
    );
  });
});
