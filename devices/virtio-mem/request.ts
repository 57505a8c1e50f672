/**
 * virtio-mem requests and responses on the wire. This is the only file that knows the byte layout
 * (include/standard-headers/linux/virtio_mem.h; virtio 1.2+ "Memory Device" §Device Operation):
 *
 *   struct virtio_mem_req  (24 bytes): le16 type @0, le16 padding[3] @2,
 *                                      le64 addr @8, le16 nb_blocks @16, le16 padding[3] @18
 *   struct virtio_mem_resp (10 bytes): le16 type @0, le16 padding[3] @2, le16 state @8
 *
 * Decoding follows QEMU's virtio_mem_handle_request (hw/virtio/virtio-mem.c, unchanged from 5.1
 * to 10.2): read 24 bytes from the out-buffers, check the in-buffers hold 10, then switch on the
 * type. Any failure is a protocol violation with QEMU's exact text; padding is ignored.
 */
import { readLe16, readLe64, writeLe16, writeLe64 } from '../../src/virtio/le.js';
import { iovSize, iovToBuf, type VirtqueueElement } from '../../src/virtio/virtqueue.js';

export const VIRTIO_MEM_REQ_SIZE = 24;
export const VIRTIO_MEM_RESP_SIZE = 10;

/** A request that names a block range: PLUG, UNPLUG or STATE. */
export interface MemRangeRequest {
  readonly kind: 'plug' | 'unplug' | 'state';
  /** The guest-physical start, an unchecked u64 straight from the guest. */
  readonly addr: bigint;
  /** The number of blocks, a u16 (so at most 65535 per request). */
  readonly nbBlocks: number;
}

/** A well-formed request. */
export type MemRequest = MemRangeRequest | { readonly kind: 'unplug-all' };

/** The request kinds, for code that answers per kind. */
export type MemRequestKind = MemRequest['kind'];

/** The three violations QEMU detects while decoding; each marks the device broken. */
export type MemViolationCode = 'invalid-request-size' | 'response-space-too-small' | 'unknown-request-type';

/** A request QEMU refuses to handle at all: it calls virtio_error and detaches the element. */
export interface MemViolation {
  readonly kind: 'violation';
  readonly code: MemViolationCode;
  /** QEMU's virtio_error text, byte for byte. */
  readonly message: string;
}

/** What decoding an element gives: a request, or a violation. */
export type DecodedRequest = MemRequest | MemViolation;

/** What a STATE request reports about a block range. */
export type MemBlockState = 'plugged' | 'unplugged' | 'mixed';

/** A device response. Only an ACK to a STATE request carries a block state. */
export type MemResponse =
  | { readonly kind: 'ack' }
  | { readonly kind: 'ack-state'; readonly state: MemBlockState }
  | { readonly kind: 'nack' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'error' };

/** A response the guest cannot interpret: a device bug, never produced by `encodeResponse`. */
export interface MalformedResponse {
  readonly kind: 'malformed';
  readonly reason: 'too-short' | 'unknown-type' | 'unknown-state';
  /** The length, type or state value that was wrong. */
  readonly value: number;
}

/** What the guest makes of a response buffer. */
export type DecodedResponse = MemResponse | MalformedResponse;

const REQUEST_TYPES: Readonly<Record<MemRequestKind, number>> = { plug: 0, unplug: 1, 'unplug-all': 2, state: 3 };
const RESPONSE_TYPES = { ack: 0, nack: 1, busy: 2, error: 3 } as const;
const BLOCK_STATES: Readonly<Record<MemBlockState, number>> = { plugged: 0, unplugged: 1, mixed: 2 };

const keyOf = <K extends string>(table: Readonly<Record<K, number>>, value: number): K | undefined =>
  (Object.keys(table) as K[]).find((k) => table[k] === value);

// QEMU formats the request size with %d of the constant sizeof(struct virtio_mem_req), so the
// message always says 24 however short the request was; the response space is the real
// iov_size (%zu); the type is the u16 read from the wire (%d), so 0..65535.
const VIOLATION_MESSAGES = {
  'invalid-request-size': (size: number) => `virtio-mem protocol violation: invalid request size: ${size}`,
  'response-space-too-small': (size: number) => `virtio-mem protocol violation: not enough space for response: ${size}`,
  'unknown-request-type': (type: number) => `virtio-mem protocol violation: unknown request type: ${type}`,
} as const satisfies Record<MemViolationCode, (n: number) => string>;

const violation = (code: MemViolationCode, n: number): MemViolation => ({
  kind: 'violation',
  code,
  message: VIOLATION_MESSAGES[code](n),
});

/** What the device makes of a popped element, checking in QEMU's order: request size, response space, type. */
export function decodeRequest(element: VirtqueueElement): DecodedRequest {
  const req = iovToBuf(element.out, 0, VIRTIO_MEM_REQ_SIZE);
  if (req.length < VIRTIO_MEM_REQ_SIZE) return violation('invalid-request-size', VIRTIO_MEM_REQ_SIZE);
  const space = iovSize(element.in);
  if (space < VIRTIO_MEM_RESP_SIZE) return violation('response-space-too-small', space);
  const type = readLe16(req, 0);
  const kind = keyOf(REQUEST_TYPES, type);
  switch (kind) {
    case undefined:
      return violation('unknown-request-type', type);
    case 'unplug-all':
      return { kind };
    case 'plug':
    case 'unplug':
    case 'state':
      return { kind, addr: readLe64(req, 8), nbBlocks: readLe16(req, 16) };
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}

/** The 24 bytes a driver puts in its out-buffer; padding and unused fields are zero. */
export function encodeRequest(request: MemRequest): Uint8Array {
  const bytes = new Uint8Array(VIRTIO_MEM_REQ_SIZE);
  writeLe16(bytes, 0, REQUEST_TYPES[request.kind]);
  if (request.kind !== 'unplug-all') {
    writeLe64(bytes, 8, request.addr);
    writeLe16(bytes, 16, request.nbBlocks);
  }
  return bytes;
}

/** The 10 bytes the device writes back; the state field is zero unless it is an ACK to STATE. */
export function encodeResponse(response: MemResponse): Uint8Array {
  const bytes = new Uint8Array(VIRTIO_MEM_RESP_SIZE);
  switch (response.kind) {
    case 'ack-state':
      writeLe16(bytes, 0, RESPONSE_TYPES.ack);
      writeLe16(bytes, 8, BLOCK_STATES[response.state]);
      return bytes;
    case 'ack':
    case 'nack':
    case 'busy':
    case 'error':
      writeLe16(bytes, 0, RESPONSE_TYPES[response.kind]);
      return bytes;
    default: {
      const _exhaustive: never = response;
      return _exhaustive;
    }
  }
}

/**
 * A response as the driver reads it after a request of kind `sentKind`. The spec has the driver
 * ignore everything but the type, and the state only in an ACK to STATE (virtio 1.2 §5.15.6).
 */
export function decodeResponse(bytes: Uint8Array, sentKind: MemRequestKind): DecodedResponse {
  if (bytes.length < VIRTIO_MEM_RESP_SIZE) return { kind: 'malformed', reason: 'too-short', value: bytes.length };
  const type = readLe16(bytes, 0);
  const kind = keyOf(RESPONSE_TYPES, type);
  if (kind === undefined) return { kind: 'malformed', reason: 'unknown-type', value: type };
  if (kind !== 'ack' || sentKind !== 'state') return { kind };
  const raw = readLe16(bytes, 8);
  const state = keyOf(BLOCK_STATES, raw);
  return state === undefined ? { kind: 'malformed', reason: 'unknown-state', value: raw } : { kind: 'ack-state', state };
}
