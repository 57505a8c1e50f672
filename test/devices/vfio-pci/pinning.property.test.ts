/**
 * The pinning invariant under any sequence of guest plugs and unplugs and host-device hotplug:
 * while a physical device is attached, what VFIO pins is exactly initial RAM plus the blocks
 * virtio-mem has plugged (6.1+), every pinned page is resident, and nothing is pinned without one.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VIRTIO_MEM_RUNTIME } from '../../../devices/virtio-mem/index.js';
import { encodeRequest } from '../../../devices/virtio-mem/request.js';
import { device, MiB, object, startOn } from './helpers.js';

const BLOCK = 2 * MiB;
const REGION = 64 * MiB;
const RAM = 128 * MiB;

type Op =
  | { readonly kind: 'plug' | 'unplug'; readonly block: number; readonly count: number }
  | { readonly kind: 'unplug-all' }
  | { readonly kind: 'vfio-del' | 'vfio-add' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('plug' as const, 'unplug' as const), block: fc.nat(REGION / BLOCK - 1), count: fc.integer({ min: 1, max: 8 }) }),
  fc.constant({ kind: 'unplug-all' as const }),
  fc.constant({ kind: 'vfio-del' as const }),
  fc.constant({ kind: 'vfio-add' as const }),
);

describe('devices/vfio-pci: pinned = initial RAM + plugged blocks, all resident (property)', () => {
  it('holds after every step', () => {
    fc.assert(
      fc.property(fc.constantFrom('7.2', '10.0', '11.1'), fc.array(op, { maxLength: 12 }), (release, ops) => {
        const m = startOn(
          [
            device('vfio-pci', 'hostdev0', 'host=01:00.0'),
            object('memory-backend-ram', 'mem0', `size=${REGION}`),
            device('virtio-mem-pci', 'vm0', `memdev=mem0,requested-size=${REGION},block-size=${BLOCK}`),
          ],
          { release, memory: `${RAM / MiB}M,maxmem=1G`, machine: 'pc' },
        );
        const proxy = m.model.resolvePath('vm0')!;
        const runtime = proxy.child('virtio-backend')!.slots.get(VIRTIO_MEM_RUNTIME)!;
        const base = proxy.get('memaddr') as number;
        let attached = true;
        for (const o of ops) {
          if (o.kind === 'vfio-del' && attached) {
            m.deleteDevice('hostdev0');
            m.ejectDevice(m.model.resolvePath('hostdev0')!);
            attached = false;
          } else if (o.kind === 'vfio-add' && !attached) {
            m.addDevice({ kind: 'device', driver: 'vfio-pci', id: 'hostdev0', props: [{ name: 'host', value: '01:00.0' }] });
            attached = true;
          } else if (o.kind === 'unplug-all') {
            runtime.submit(0, { out: [encodeRequest({ kind: 'unplug-all' })], in: [new Uint8Array(10)] });
          } else if (o.kind === 'plug' || o.kind === 'unplug') {
            const count = Math.min(o.count, REGION / BLOCK - o.block);
            runtime.submit(0, { out: [encodeRequest({ kind: o.kind, addr: BigInt(base + o.block * BLOCK), nbBlocks: count })], in: [new Uint8Array(10)] });
          }
          const status = m.process.status();
          assert.equal(status.vmLck, attached ? RAM + runtime.pluggedSize() : 0, `${release} after ${JSON.stringify(o)}`);
          assert.ok(status.vmRss >= status.vmLck, `${release}: RSS ${status.vmRss} below the pinned ${status.vmLck}`);
        }
      }),
      { numRuns: 8, seed: 20261207 },
    );
  });
});
