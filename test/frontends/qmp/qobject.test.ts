import assert from 'node:assert/strict';
import { qdictOrder } from '../../../src/frontends/qmp/qdict-order.js';

describe('frontends/qmp/qdict-order: the order QEMU walks a QDict', () => {
  // Real 10.0.13 device_add reports the first bad member in this order, whatever the JSON order:
  // frob before block-size, block-size before requested-size.
  const CASES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
    [
      ['driver', 'id', 'memdev', 'requested-size', 'block-size'],
      ['memdev', 'driver', 'block-size', 'requested-size', 'id'],
    ],
    [
      ['driver', 'id', 'memdev', 'block-size', 'requested-size'],
      ['memdev', 'driver', 'block-size', 'requested-size', 'id'],
    ],
    [
      ['frob', 'block-size'],
      ['frob', 'block-size'],
    ],
    [
      ['block-size', 'frob'],
      ['frob', 'block-size'],
    ],
  ];
  for (const [keys, order] of CASES) {
    it(`${keys.join(', ')} → ${order.join(', ')}`, () => assert.deepEqual(qdictOrder(keys), order));
  }
});
