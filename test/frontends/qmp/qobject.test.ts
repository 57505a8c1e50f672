import assert from 'node:assert/strict';
import { inQdictOrder, qdictOrder } from '../../../src/frontends/qmp/qobject.js';

describe('frontends/qmp/qobject: the order QEMU walks a QDict', () => {
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

  // Replies as real QEMU wrote them (query-memdev of 10.0.13 and 5.2, query-iothreads of 11.1.3):
  // every struct, nested ones too, in the QDict's order.
  it('orders every struct of a reply, nested ones too', () => {
    const memdev = { id: 'm1', size: 2097152, merge: true, dump: true, prealloc: false, share: true, reserve: true, 'host-nodes': [0], policy: 'bind' };
    const written = JSON.stringify(
      inQdictOrder([
        memdev,
        { outer: { id: 'io1', 'thread-id': 1, 'poll-max-ns': 32768, 'poll-grow': 2, 'poll-shrink': 2, 'aio-max-batch': 0, 'poll-weight': 3 } },
      ]),
    );
    assert.equal(
      written,
      '[{"share":true,"reserve":true,"prealloc":false,"host-nodes":[0],"size":2097152,"merge":true,"dump":true,"policy":"bind","id":"m1"},' +
        '{"outer":{"poll-shrink":2,"thread-id":1,"poll-weight":3,"aio-max-batch":0,"poll-grow":2,"poll-max-ns":32768,"id":"io1"}}]',
    );
  });
});
