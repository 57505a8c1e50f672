import assert from 'node:assert/strict';
import { handleBalloonElement, type BalloonEffect } from '../../../devices/virtio-balloon/requests.js';
import type { RamLookup, RamPiece } from '../../../src/machine/ram-map.js';
import type { RamBlock } from '../../../src/machine/ram-block.js';
import type { VirtqueueElement } from '../../../src/virtio/virtqueue.js';
import { writeU32 } from '../../../devices/virtio-balloon/wire.js';
import { KiB, MiB } from '../../../src/core/units.js';

const block = (name: string, size: number, pageSize: number): RamBlock => ({
  name,
  idstr: name,
  size,
  shared: false,
  hasFd: false,
  pageSize,
  mapping: undefined,
});
const small = block('small', MiB, 4 * KiB);
const other = block('other', MiB, 4 * KiB);
const huge = block('huge', 4 * MiB, 2 * MiB);

/** Guest-physical layout: `small` at 0, a hole at 1 MiB, `other` at 2 MiB, a hole, `huge` at 4 MiB. */
const PIECES: readonly RamPiece[] = [
  { gpa: 0, length: MiB, block: small, offset: 0 },
  { gpa: 2 * MiB, length: MiB, block: other, offset: 0 },
  { gpa: 4 * MiB, length: 4 * MiB, block: huge, offset: 0 },
];
const lookup: RamLookup = {
  pieces: () => assert.fail('inflation looks up whole pieces'),
  pieceAt: (gpa) => PIECES.find((p) => gpa >= p.gpa && gpa < p.gpa + p.length),
};

const element = (pfns: readonly number[]): VirtqueueElement => {
  const bytes = new Uint8Array(pfns.length * 4);
  pfns.forEach((pfn, i) => writeU32(bytes, i * 4, pfn, 'le'));
  return { out: [bytes], in: [] };
};
const pages = (gpa: number, length: number): number[] => Array.from({ length: length / (4 * KiB) }, (_, i) => gpa / (4 * KiB) + i);
const discard = (b: RamBlock, offset: number, length: number): BalloonEffect => ({ kind: 'discard', block: b, offset, length });
const WARNING: BalloonEffect = { kind: 'hugepage-warning' };

describe('devices/virtio-balloon/requests: an inflate element, PFN by PFN as QEMU reads it', () => {
  const CASES: ReadonlyArray<readonly [string, readonly number[], readonly BalloonEffect[]]> = [
    ['an ascending run is one discard', pages(0, 16 * KiB), [discard(small, 0, 16 * KiB)]],
    ['a descending run is a discard per page (nothing merges backwards)', pages(0, 12 * KiB).reverse(), [8, 4, 0].map((k) => discard(small, k * KiB, 4 * KiB))],
    [
      'a run across a hole discards what is RAM on either side',
      pages(MiB - 8 * KiB, MiB + 16 * KiB),
      [discard(small, MiB - 8 * KiB, 8 * KiB), discard(other, 0, 8 * KiB)],
    ],
    ['PFNs outside RAM are skipped', [...pages(MiB, 8 * KiB), ...pages(64 * MiB, 8 * KiB)], []],
    ['the same page twice is discarded twice', [5, 5], [discard(small, 20 * KiB, 4 * KiB), discard(small, 20 * KiB, 4 * KiB)]],
    ['every 4 KiB piece of a huge page in one element frees it', pages(6 * MiB, 2 * MiB), [WARNING, discard(huge, 2 * MiB, 2 * MiB)]],
    ['a huge page whose pieces arrive out of order still frees it', pages(4 * MiB, 2 * MiB).reverse(), [WARNING, discard(huge, 0, 2 * MiB)]],
    ['switching to another huge page drops the partly ballooned one', [...pages(4 * MiB, MiB), ...pages(6 * MiB, 4 * KiB), ...pages(5 * MiB, MiB)], [WARNING]],
    [
      'a run from 4 KiB RAM into huge pages: discards in the first, whole huge pages in the second',
      pages(3 * MiB - 4 * KiB, 3 * MiB + 4 * KiB),
      [WARNING, discard(other, MiB - 4 * KiB, 4 * KiB), discard(huge, 0, 2 * MiB)],
    ],
  ];
  for (const [name, pfns, effects] of CASES) {
    it(name, () => {
      assert.deepEqual(handleBalloonElement('inflate', element(pfns), { lookup, inhibited: false, order: 'le' }), effects);
    });
  }

  it('deflating, and inflating while inhibited, touch no host memory', () => {
    assert.deepEqual(handleBalloonElement('deflate', element(pages(0, MiB)), { lookup, inhibited: false, order: 'le' }), []);
    assert.deepEqual(handleBalloonElement('inflate', element(pages(0, MiB)), { lookup, inhibited: true, order: 'le' }), []);
  });
});
