/**
 * The virtqueue target: what a guest driver can put on virtio-mem's and virtio-balloon's queues.
 * Requests well-formed and not (virtio-mem requests of every type at addresses in, across and
 * outside the device's region, short and split buffers, too little response space; balloon PFN
 * arrays, stats, free-page hints and reports with any values), each submitted to a running device.
 * Invariants: no crash, no hang; a virtio-mem request the device refuses (NACK, ERROR, a detached
 * element) changes neither the device's state nor the host's memory. A device the guest broke is
 * reset and set up again, as a driver would.
 */
import fc from 'fast-check';
import { FeatureSet } from '../../src/virtio/feature-set.js';
import { STATUS_DEVICE_NEEDS_RESET } from '../../src/virtio/status.js';
import type { VirtqueueElement } from '../../src/virtio/virtqueue.js';
import { encodeRequest } from '../../devices/virtio-mem/request.js';
import { handshake, startVirtioMem, type Fixture } from '../devices/virtio-mem/helpers.js';
import { startBalloon, type BalloonFixture } from '../devices/virtio-balloon/helpers.js';
import { bounded, InvariantBroken, show, type FuzzTarget } from './target.js';

const MiB = 1024 * 1024;
/** The driver accepts whatever the device offers. */
const ALL_FEATURES = FeatureSet.fromWord(2n ** 64n - 1n);

export interface QueueInput {
  readonly device: 'virtio-mem' | 'virtio-balloon';
  readonly queue: number;
  readonly out: readonly Uint8Array[];
  readonly inSizes: readonly number[];
}

/** Splits `bytes` at the given points, as a driver's scatter-gather list may. */
const split = (bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    parts.push(bytes.slice(from, p));
    from = p;
  }
  return parts;
};

/** virtio-mem's region starts at 4 GiB on the fixture's q35 (above 1 GiB of RAM). */
const memRequest = (base: number): fc.Arbitrary<Uint8Array> =>
  fc
    .record({
      kind: fc.constantFrom('plug', 'unplug', 'state', 'unplug-all'),
      block: fc.oneof(fc.integer({ min: -4, max: 2100 }), fc.constantFrom(2 ** 31, 2 ** 40)),
      offset: fc.constantFrom(0, 0, 0, 4096, 1, MiB),
      nbBlocks: fc.oneof(fc.integer({ min: 0, max: 2100 }), fc.constant(0xffff)),
    })
    .map(({ kind, block, offset, nbBlocks }) => {
      const addr = BigInt.asUintN(64, BigInt(base) + BigInt(block) * BigInt(2 * MiB) + BigInt(offset));
      return encodeRequest(kind === 'unplug-all' ? { kind } : { kind, addr, nbBlocks });
    });

const raw = fc.uint8Array({ maxLength: 40 });

function input(memBase: number): fc.Arbitrary<QueueInput> {
  const bytes = fc.oneof({ weight: 4, arbitrary: memRequest(memBase) }, { weight: 1, arbitrary: raw });
  const mem = fc.record({
    device: fc.constant('virtio-mem' as const),
    queue: fc.constantFrom(0, 0, 0, 0, 1),
    out: fc.tuple(bytes, fc.array(fc.nat(30), { maxLength: 2 })).map(([b, cuts]) => split(b, cuts)),
    inSizes: fc.oneof({ weight: 5, arbitrary: fc.constant([10]) }, { weight: 1, arbitrary: fc.array(fc.nat(16), { maxLength: 3 }) }),
  });
  const pfns = fc.array(fc.oneof(fc.integer({ min: 0, max: 0x40000 + 10 }), fc.constant(0xffffffff)), { maxLength: 64 }).map((list) => {
    const b = new Uint8Array(list.length * 4);
    list.forEach((pfn, i) => new DataView(b.buffer).setUint32(i * 4, pfn, true));
    return b;
  });
  const balloon = fc.record({
    device: fc.constant('virtio-balloon' as const),
    queue: fc.integer({ min: 0, max: 5 }),
    out: fc
      .tuple(fc.oneof({ weight: 3, arbitrary: pfns }, { weight: 1, arbitrary: raw }), fc.array(fc.nat(300), { maxLength: 2 }))
      .map(([b, cuts]) => split(b, cuts)),
    inSizes: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(0, 4096, 2 * MiB, 16), { maxLength: 2 }) }),
  });
  return fc.oneof(mem, balloon);
}

/**
 * The device's state and the host's memory figures: what a refused request must not change. (A
 * protocol violation does set DEVICE_NEEDS_RESET in the status, as virtio_error does: that is
 * the device saying so, not a change a refusal may not make.)
 */
function memState(f: Fixture): string {
  return JSON.stringify({ state: f.runtime.state, host: f.machine.process.status() }, (_k, v: unknown) =>
    typeof v === 'bigint'
      ? `${v}n`
      : v instanceof Uint8Array || v instanceof Uint32Array
        ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')
        : v,
  );
}

export function virtqueueTarget(): FuzzTarget<QueueInput> {
  let mem: Fixture;
  let balloon: BalloonFixture;
  const setUpMem = () => {
    mem = startVirtioMem({ device: 'requested-size=1G' });
    handshake(mem.runtime, ALL_FEATURES);
  };
  const setUpBalloon = () => {
    balloon = startBalloon({
      device: 'free-page-reporting=on,free-page-hint=on,iothread=io0,guest-stats-polling-interval=1',
      items: [{ kind: 'object', type: 'iothread', id: 'io0', props: [] }],
    });
    handshake(balloon.runtime, ALL_FEATURES);
  };
  setUpMem();
  setUpBalloon();
  return {
    name: 'virtqueue',
    input: input(mem!.base),
    check(q) {
      const element: VirtqueueElement = { out: [...q.out], in: q.inSizes.map((n) => new Uint8Array(n)) };
      const what = `a ${q.device} request on queue ${q.queue}: out ${show(q.out.map((b) => Buffer.from(b).toString('hex')))}, in ${show(q.inSizes)}`;
      if (q.device === 'virtio-mem') {
        const before = memState(mem);
        const completion = bounded(what, () => mem.runtime.submit(q.queue, element));
        const refused = completion.kind === 'detached' || (completion.in.length > 0 && isRefusal(completion.in[0]!));
        if (refused && memState(mem) !== before) throw new InvariantBroken(`state changed by refused ${what}`);
        if (mem.runtime.readStatus() & STATUS_DEVICE_NEEDS_RESET) handshake(mem.runtime, ALL_FEATURES);
      } else {
        bounded(what, () => balloon.runtime.submit(q.queue, element));
        if (balloon.runtime.readStatus() & STATUS_DEVICE_NEEDS_RESET) handshake(balloon.runtime, ALL_FEATURES);
      }
    },
    checkpoint() {
      // A fresh pair of devices every chunk keeps each run's state bounded and reproducible.
      setUpMem();
      setUpBalloon();
    },
  };
}

/** VIRTIO_MEM_RESP_NACK, _BUSY and _ERROR: the response's first little-endian 16-bit word. */
const REFUSALS = new Set([1, 2, 3]);

function isRefusal(response: Uint8Array): boolean {
  return response.length >= 2 && REFUSALS.has(response[0]! | (response[1]! << 8));
}
