import assert from 'node:assert/strict';
import { GHashOrder, gStrHash } from '../../src/core/ghash-order.js';

/**
 * qom-list /objects of real QEMU 5.2 (GLib 2.66) and 10.0.13 (GLib 2.84), which agree: the
 * machine's pc.ram, then memory-backend-ram objects added (+) and deleted (-) over QMP. qom-list
 * prepends what it walks, so the walk is the listing reversed.
 */
const OBSERVED: ReadonlyArray<{ readonly what: string; readonly ops: readonly string[]; readonly listed: string }> = [
  {
    what: 'deletions leave tombstones that later keys reuse',
    ops: ['+alpha', '+beta', '+gamma', '+delta', '+epsilon', '-beta', '-delta', '+zeta', '+eta', '+theta'],
    listed: 'eta gamma zeta epsilon theta alpha pc.ram',
  },
  {
    what: 'two resizes while growing to 22 keys',
    ops: Array.from({ length: 21 }, (_, i) => `+n${i}`),
    listed: 'n20 n18 n9 n15 n6 n12 n3 n0 pc.ram n17 n8 n14 n5 n11 n2 n19 n16 n7 n13 n4 n10 n1',
  },
  {
    what: 'a shrink once the table is a quarter full',
    ops: [...Array.from({ length: 13 }, (_, i) => `+n${i}`), ...Array.from({ length: 9 }, (_, i) => `-n${i}`), '+ram0', '+mem-a'],
    listed: 'pc.ram mem-a n10 ram0 n9 n11 n12',
  },
];

describe('core/ghash-order: the order GLib walks a string-keyed GHashTable', () => {
  for (const { what, ops, listed } of OBSERVED) {
    it(`${what}, as QEMU lists /objects`, () => {
      const table = new GHashOrder();
      table.insert('pc.ram');
      for (const op of ops) (op.startsWith('+') ? table.insert.bind(table) : table.remove.bind(table))(op.slice(1));
      assert.equal(table.keys().reverse().join(' '), listed);
    });
  }

  it('takes a key once and ignores removing one it does not hold', () => {
    const table = new GHashOrder();
    table.insert('a');
    table.insert('a');
    table.remove('b');
    assert.deepEqual(table.keys(), ['a']);
  });

  it('hashes bytes as signed chars (g_str_hash)', () => {
    assert.equal(gStrHash(''), 5381);
    assert.equal(gStrHash('a'), (5381 * 33 + 97) >>> 0);
    // U+00E9 is 0xC3 0xA9 in UTF-8: both bytes count negative.
    assert.equal(gStrHash('é'), (((5381 * 33 + (0xc3 - 256)) >>> 0) * 33 + (0xa9 - 256)) >>> 0);
  });
});
