/**
 * The driver's side of the guest-request virtqueue: one request in flight at a time, and the
 * response mapped to the errno each sender returns (virtio_mem_send_*_request(), unchanged in
 * substance from 5.8 to 6.16; linux.md §2.5):
 *
 *   PLUG        ACK 0 (plugged_size += size)  NACK -EAGAIN  BUSY -ETXTBSY  ERROR -EINVAL  else -ENOMEM
 *   UNPLUG      ACK 0 (plugged_size -= size)                BUSY -ETXTBSY  ERROR -EINVAL  else -ENOMEM
 *   UNPLUG_ALL  ACK 0 (plugged_size = 0)                    BUSY -ETXTBSY                 else -ENOMEM
 *   STATE       ACK: the state                                             ERROR -EINVAL  else -ENOMEM
 *
 * PLUG and UNPLUG are not sent while a config change is pending (-EAGAIN). The driver waits for
 * the used buffer with wait_event(), so an element the device detaches instead of using leaves
 * the worker blocked for good: that is `ResponseNeverCame`, caught where the kernel would hang.
 */
import {
  decodeResponse,
  encodeRequest,
  VIRTIO_MEM_RESP_SIZE,
  type DecodedResponse,
  type MemBlockState,
  type MemRequest,
} from '../../../../devices/virtio-mem/request.js';
import type { SimNanos } from '../../../core/units.js';
import type { VirtioDriverPort } from '../../../virtio/driver-port.js';
import type { Errno, Rc } from './errno.js';

/** virtio-mem has one virtqueue, "guest-request" (virtio_mem_init_vq). */
const GUEST_REQUEST_QUEUE = 0;

/** What came back for a request: a response as the driver decodes it, or nothing ever. */
export type RequestAnswer = DecodedResponse | { readonly kind: 'detached' };

/** One request the driver sent and what it got. */
export interface SentRequest {
  readonly request: MemRequest;
  readonly answer: RequestAnswer;
  readonly at: SimNanos;
}

/** Thrown through the driver's call chain when a request will never complete; never escapes the driver. */
export class ResponseNeverCame extends Error {
  constructor(readonly request: MemRequest) {
    super('virtio-mem request detached: wait_event() never returns');
  }
}

/** The driver's counters the senders read and update (struct virtio_mem fields). */
export interface VmCounters {
  /** What the driver believes is plugged (vm->plugged_size). */
  pluggedSize: number;
  /** vm->config_changed: set by the config interrupt, cleared by the worker's refresh. */
  configChanged: boolean;
  /** vm->unplug_all_required. */
  unplugAllRequired: boolean;
  /** The last -EAGAIN came from a NACK, not from a pending config change. */
  lastAgainWasNack: boolean;
}

/** A STATE request's outcome: the state, or the errno virtio_mem_send_state_request() returns. */
export type StateAnswer = { readonly kind: 'state'; readonly state: MemBlockState | number } | { readonly kind: 'failed'; readonly rc: Errno };

export class DeviceRequests {
  readonly #sent: SentRequest[] = [];

  constructor(
    private readonly port: VirtioDriverPort,
    private readonly vm: VmCounters,
    private readonly deviceBlockSize: number,
    private readonly now: () => SimNanos,
  ) {}

  sent(): readonly SentRequest[] {
    return this.#sent;
  }

  plug(addr: number, size: number): Rc {
    if (this.vm.configChanged) return this.#again(false);
    const answer = this.#send({ kind: 'plug', addr: BigInt(addr), nbBlocks: this.#nbBlocks(size) });
    switch (answer.kind) {
      case 'ack':
        this.vm.pluggedSize += size;
        return 'ok';
      case 'nack':
        return this.#again(true);
      case 'busy':
        return 'ETXTBSY';
      case 'error':
        return 'EINVAL';
      default:
        return 'ENOMEM';
    }
  }

  unplug(addr: number, size: number): Rc {
    if (this.vm.configChanged) return this.#again(false);
    const answer = this.#send({ kind: 'unplug', addr: BigInt(addr), nbBlocks: this.#nbBlocks(size) });
    switch (answer.kind) {
      case 'ack':
        this.vm.pluggedSize -= size;
        return 'ok';
      case 'busy':
        return 'ETXTBSY';
      case 'error':
        return 'EINVAL';
      default:
        return 'ENOMEM';
    }
  }

  unplugAll(): Rc {
    const answer = this.#send({ kind: 'unplug-all' });
    switch (answer.kind) {
      case 'ack':
        this.vm.unplugAllRequired = false;
        this.vm.pluggedSize = 0;
        // "usable region might have shrunk"
        this.vm.configChanged = true;
        return 'ok';
      case 'busy':
        return 'ETXTBSY';
      default:
        return 'ENOMEM';
    }
  }

  /** virtio_mem_send_state_request() (5.16+, kdump only). An unknown state value is returned raw. */
  state(addr: number, size: number): StateAnswer {
    const answer = this.#send({ kind: 'state', addr: BigInt(addr), nbBlocks: this.#nbBlocks(size) });
    switch (answer.kind) {
      case 'ack-state':
        return { kind: 'state', state: answer.state };
      case 'malformed':
        return answer.reason === 'unknown-state' ? { kind: 'state', state: answer.value } : { kind: 'failed', rc: 'ENOMEM' };
      case 'error':
        return { kind: 'failed', rc: 'EINVAL' };
      default:
        return { kind: 'failed', rc: 'ENOMEM' };
    }
  }

  #again(fromNack: boolean): Rc {
    this.vm.lastAgainWasNack = fromNack;
    return 'EAGAIN';
  }

  /** cpu_to_virtio16() keeps the low 16 bits of size / device_block_size. */
  #nbBlocks(size: number): number {
    return Math.floor(size / this.deviceBlockSize) % 0x10000;
  }

  #send(request: MemRequest): DecodedResponse {
    const completion = this.port.submit(GUEST_REQUEST_QUEUE, {
      out: [encodeRequest(request)],
      in: [new Uint8Array(VIRTIO_MEM_RESP_SIZE)],
    });
    const at = this.now();
    if (completion.kind === 'detached') {
      this.#sent.push(Object.freeze({ request, answer: { kind: 'detached' as const }, at }));
      throw new ResponseNeverCame(request);
    }
    // The driver reads vm->resp whatever length the device reports (virtqueue_get_buf's len is unused).
    const bytes = new Uint8Array(VIRTIO_MEM_RESP_SIZE);
    let offset = 0;
    for (const buf of completion.in) {
      bytes.set(buf.subarray(0, Math.min(buf.length, bytes.length - offset)), offset);
      offset += Math.min(buf.length, bytes.length - offset);
    }
    const answer = decodeResponse(bytes, request.kind);
    this.#sent.push(Object.freeze({ request, answer, at }));
    return answer;
  }
}
