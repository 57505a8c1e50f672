import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  VIRTIO_MEM_REQ_SIZE,
  VIRTIO_MEM_RESP_SIZE,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type MemRequest,
  type MemRequestKind,
  type MemResponse,
} from '../../../devices/virtio-mem/request.js';
import type { VirtqueueElement } from '../../../src/virtio/virtqueue.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));
const element = (out: Uint8Array[], inCapacities: number[] = [VIRTIO_MEM_RESP_SIZE]): VirtqueueElement => ({
  out,
  in: inCapacities.map((n) => new Uint8Array(n)),
});

//             type pad          addr                    nb   pad
const PLUG = '0000 000000000000 0000000001000000 0300 000000000000';

describe('devices/virtio-mem/request', () => {
  it('sizes are those of struct virtio_mem_req and virtio_mem_resp', () => {
    assert.equal(VIRTIO_MEM_REQ_SIZE, 24);
    assert.equal(VIRTIO_MEM_RESP_SIZE, 10);
  });

  describe('encodeRequest: exact bytes', () => {
    const cases: [string, MemRequest, string][] = [
      ['PLUG', { kind: 'plug', addr: 0x1_0000_0000n, nbBlocks: 3 }, PLUG],
      ['UNPLUG', { kind: 'unplug', addr: 0x1234_5678_9abc_def0n, nbBlocks: 0xffff }, '0100 000000000000 f0debc9a78563412 ffff 000000000000'],
      ['UNPLUG_ALL', { kind: 'unplug-all' }, '0200 000000000000 0000000000000000 0000 000000000000'],
      ['STATE', { kind: 'state', addr: 0xffff_ffff_ffff_ffffn, nbBlocks: 0 }, '0300 000000000000 ffffffffffffffff 0000 000000000000'],
    ];
    for (const [name, request, expected] of cases) {
      it(name, () => {
        assert.equal(hex(encodeRequest(request)), expected.replace(/ /g, ''));
        assert.deepEqual(decodeRequest(element([bytes(expected)])), request);
      });
    }
  });

  describe('decodeRequest: protocol violations with QEMU text', () => {
    const cases: [string, VirtqueueElement, string, string][] = [
      ['no out-buffer at all', element([]), 'invalid-request-size', 'virtio-mem protocol violation: invalid request size: 24'],
      [
        '23 bytes: QEMU prints the expected size, not the one received',
        element([bytes(PLUG).subarray(0, 23)]),
        'invalid-request-size',
        'virtio-mem protocol violation: invalid request size: 24',
      ],
      ['no in-buffer', element([bytes(PLUG)], []), 'response-space-too-small', 'virtio-mem protocol violation: not enough space for response: 0'],
      [
        '9 bytes of response space over two buffers: the real total is printed',
        element([bytes(PLUG)], [4, 5]),
        'response-space-too-small',
        'virtio-mem protocol violation: not enough space for response: 9',
      ],
      ['type 4', element([bytes('0400' + PLUG.replace(/ /g, '').slice(4))]), 'unknown-request-type', 'virtio-mem protocol violation: unknown request type: 4'],
      [
        'type 0xffff prints unsigned',
        element([bytes('ffff' + PLUG.replace(/ /g, '').slice(4))]),
        'unknown-request-type',
        'virtio-mem protocol violation: unknown request type: 65535',
      ],
      [
        'a short request is reported before missing response space',
        element([bytes('0000')], []),
        'invalid-request-size',
        'virtio-mem protocol violation: invalid request size: 24',
      ],
      [
        'missing response space is reported before an unknown type',
        element([bytes('0900' + PLUG.replace(/ /g, '').slice(4))], [2]),
        'response-space-too-small',
        'virtio-mem protocol violation: not enough space for response: 2',
      ],
    ];
    for (const [name, el, code, message] of cases) {
      it(name, () => assert.deepEqual(decodeRequest(el), { kind: 'violation', code, message }));
    }
  });

  describe('decodeRequest: what QEMU ignores', () => {
    it('padding', () => {
      const dirty = bytes('0000 ffffffffffff 0000000001000000 0300 ffffffffffff');
      assert.deepEqual(decodeRequest(element([dirty])), { kind: 'plug', addr: 0x1_0000_0000n, nbBlocks: 3 });
    });
    it('the range fields of UNPLUG_ALL', () => {
      const dirty = bytes('0200 000000000000 1111111111111111 2222 000000000000');
      assert.deepEqual(decodeRequest(element([dirty])), { kind: 'unplug-all' });
    });
    it('bytes after the 24th, and more response space than needed', () => {
      const long = Uint8Array.from([...bytes(PLUG), 0xaa, 0xbb]);
      assert.deepEqual(decodeRequest(element([long], [64])), { kind: 'plug', addr: 0x1_0000_0000n, nbBlocks: 3 });
    });
    it('how the request is split across out-buffers', () => {
      const whole = bytes(PLUG);
      const parts = [whole.subarray(0, 1), whole.subarray(1, 9), new Uint8Array(0), whole.subarray(9)];
      assert.deepEqual(decodeRequest(element(parts, [3, 7])), { kind: 'plug', addr: 0x1_0000_0000n, nbBlocks: 3 });
    });
  });

  describe('encodeResponse: exact bytes', () => {
    const cases: [string, MemResponse, string][] = [
      ['ACK', { kind: 'ack' }, '0000 000000000000 0000'],
      ['NACK', { kind: 'nack' }, '0100 000000000000 0000'],
      ['BUSY', { kind: 'busy' }, '0200 000000000000 0000'],
      ['ERROR', { kind: 'error' }, '0300 000000000000 0000'],
      ['ACK + PLUGGED', { kind: 'ack-state', state: 'plugged' }, '0000 000000000000 0000'],
      ['ACK + UNPLUGGED', { kind: 'ack-state', state: 'unplugged' }, '0000 000000000000 0100'],
      ['ACK + MIXED', { kind: 'ack-state', state: 'mixed' }, '0000 000000000000 0200'],
    ];
    for (const [name, response, expected] of cases) {
      it(name, () => assert.equal(hex(encodeResponse(response)), expected.replace(/ /g, '')));
    }
  });

  describe('decodeResponse: as the driver reads it', () => {
    const cases: [string, string, MemRequestKind, unknown][] = [
      ['ACK to PLUG ignores the state field', '0000 000000000000 0200', 'plug', { kind: 'ack' }],
      ['ACK to STATE reads it', '0000 000000000000 0200', 'state', { kind: 'ack-state', state: 'mixed' }],
      ['ERROR to STATE ignores it', '0300 000000000000 0700', 'state', { kind: 'error' }],
      ['BUSY to UNPLUG_ALL', '0200 000000000000 0000', 'unplug-all', { kind: 'busy' }],
      ['padding is ignored', '0100 ffffffffffff 0000', 'plug', { kind: 'nack' }],
      ['an unknown type', '0400 000000000000 0000', 'plug', { kind: 'malformed', reason: 'unknown-type', value: 4 }],
      ['an unknown state in an ACK to STATE', '0000 000000000000 0300', 'state', { kind: 'malformed', reason: 'unknown-state', value: 3 }],
      ['fewer than 10 bytes', '0000 0000', 'plug', { kind: 'malformed', reason: 'too-short', value: 4 }],
    ];
    for (const [name, wire, sent, expected] of cases) {
      it(name, () => assert.deepEqual(decodeResponse(bytes(wire), sent), expected));
    }
  });

  describe('properties', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const request: fc.Arbitrary<MemRequest> = fc.oneof(
      fc.record(
        {
          kind: fc.constantFrom('plug' as const, 'unplug' as const, 'state' as const),
          addr: u64,
          nbBlocks: fc.integer({ min: 0, max: 0xffff }),
        },
        { noNullPrototype: true },
      ),
      fc.constant({ kind: 'unplug-all' as const }),
    );
    const cuts = fc.array(fc.integer({ min: 0, max: VIRTIO_MEM_REQ_SIZE }), { maxLength: 5 });
    const splitAt = (b: Uint8Array, at: number[]) => {
      const points = [0, ...[...at].sort((x, y) => x - y), b.length];
      return points.slice(1).map((end, i) => b.slice(points[i], end));
    };

    it('encode then decode is the identity, however the request is split', () => {
      fc.assert(
        fc.property(request, cuts, fc.array(fc.nat(12), { minLength: 1, maxLength: 4 }), (req, at, caps) => {
          const space = caps.reduce((a, b) => a + b, 0);
          const decoded = decodeRequest(element(splitAt(encodeRequest(req), at), caps));
          if (space < VIRTIO_MEM_RESP_SIZE) assert.equal(decoded.kind, 'violation');
          else assert.deepEqual(decoded, req);
        }),
      );
    });

    it('random bytes never throw: a violation exactly when QEMU would reject, else a request', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 4 }), fc.array(fc.nat(16), { maxLength: 4 }), (out, caps) => {
          const decoded = decodeRequest(element(out, caps));
          const total = out.reduce((n, b) => n + b.length, 0);
          const type = total >= 2 ? Buffer.concat(out).readUInt16LE(0) : -1;
          if (total < 24) assert.equal(decoded.kind === 'violation' && decoded.code, 'invalid-request-size');
          else if (caps.reduce((a, b) => a + b, 0) < 10) assert.equal(decoded.kind === 'violation' && decoded.code, 'response-space-too-small');
          else if (type > 3) assert.equal(decoded.kind === 'violation' && decoded.code, 'unknown-request-type');
          else assert.notEqual(decoded.kind, 'violation');
        }),
      );
    });

    it('a decoded request re-encodes to the same type, address and block count', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.integer({ min: 0, max: 3 }), (random, type) => {
          const raw = Uint8Array.from([type, 0, ...random.subarray(2)]);
          const decoded = decodeRequest(element([raw]));
          assert.notEqual(decoded.kind, 'violation');
          if (decoded.kind === 'violation') return;
          const again = encodeRequest(decoded);
          assert.equal(hex(again.subarray(0, 2)), hex(raw.subarray(0, 2)));
          if (decoded.kind !== 'unplug-all') assert.equal(hex(again.subarray(8, 18)), hex(raw.subarray(8, 18)));
        }),
      );
    });

    it('response encode then decode is the identity for the request it answers', () => {
      const response: fc.Arbitrary<MemResponse> = fc.oneof(
        fc.constantFrom<MemResponse>({ kind: 'ack' }, { kind: 'nack' }, { kind: 'busy' }, { kind: 'error' }),
        fc.constantFrom('plugged' as const, 'unplugged' as const, 'mixed' as const).map((state): MemResponse => ({ kind: 'ack-state', state })),
      );
      fc.assert(
        fc.property(response, (resp) => {
          const sent: MemRequestKind = resp.kind === 'ack-state' ? 'state' : 'plug';
          assert.deepEqual(decodeResponse(encodeResponse(resp), sent), resp);
        }),
      );
    });

    it('random response bytes never throw', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 16 }), fc.constantFrom<MemRequestKind>('plug', 'unplug', 'unplug-all', 'state'), (raw, sent) => {
          const d = decodeResponse(raw, sent);
          assert.ok(['ack', 'ack-state', 'nack', 'busy', 'error', 'malformed'].includes(d.kind));
        }),
      );
    });
  });
});
