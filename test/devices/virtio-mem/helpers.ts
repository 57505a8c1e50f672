/**
 * virtio-mem test fixtures: a started machine with one virtio-mem-pci device, a driver-side
 * handshake through the device's port, and a `run(request)` that submits one request element.
 */
import { GiB, MiB } from '../../../src/core/units.js';
import { qemuBinary } from '../../../src/cli/binary.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import type { QomObject } from '../../../src/qom/object.js';
import { decodeResponse, encodeRequest, type DecodedResponse, type MemRequest } from '../../../devices/virtio-mem/request.js';
import { VIRTIO_MEM_RUNTIME, type VirtioMemRuntime } from '../../../devices/virtio-mem/index.js';

export interface Fixture {
  readonly machine: Machine;
  readonly proxy: QomObject;
  readonly runtime: VirtioMemRuntime;
  /** The device's region start. */
  readonly base: number;
  run(request: MemRequest): DecodedResponse;
}

export interface FixtureOptions {
  readonly release?: string;
  readonly machine?: string;
  readonly backend?: string;
  readonly size?: string;
  readonly device?: string;
  readonly arch?: 'x86_64' | 's390x';
  /** -m (DIMMs need slots=). */
  readonly memory?: string;
  /** More start-up items after the device (another device, say). */
  readonly items?: readonly StartupItem[];
}

export function startVirtioMem(opts: FixtureOptions = {}): Fixture {
  const release = opts.release ?? '7.2';
  const arch = opts.arch ?? 'x86_64';
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  );
  const driver = arch === 'x86_64' ? 'virtio-mem-pci' : 'virtio-mem-ccw';
  const { machine } = Machine.start(
    {
      release,
      arch,
      machine: opts.machine ?? (arch === 'x86_64' ? 'q35' : undefined),
      memory: opts.memory ?? '1G,maxmem=16G',
      items: [
        { kind: 'object', type: opts.backend ?? 'memory-backend-ram', id: 'mem0', props: [{ name: 'size', value: opts.size ?? '4G' }] },
        {
          kind: 'device',
          driver,
          id: 'vm0',
          props: [
            { name: 'memdev', value: 'mem0' },
            ...(opts.device ? opts.device.split(',').map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! })) : []),
          ],
        },
        ...(opts.items ?? []),
      ],
    },
    binary.environment,
  );
  const proxy = machine.model.resolvePath('vm0')!;
  const runtime = proxy.child('virtio-backend')!.slots.get(VIRTIO_MEM_RUNTIME)!;
  return {
    machine,
    proxy,
    runtime,
    base: proxy.get('memaddr') as number,
    run(request) {
      const completion = runtime.submit(0, { out: [encodeRequest(request)], in: [new Uint8Array(10)] });
      if (completion.kind === 'detached') return { kind: 'malformed', reason: 'too-short', value: 0 };
      return decodeResponse(completion.in[0]!, request.kind);
    },
  };
}

export { handshake } from '../../../src/virtio/driver-handshake.js';

export const plug = (addr: number, nbBlocks: number): MemRequest => ({ kind: 'plug', addr: BigInt(addr), nbBlocks });
export const unplug = (addr: number, nbBlocks: number): MemRequest => ({ kind: 'unplug', addr: BigInt(addr), nbBlocks });
export const state = (addr: number, nbBlocks: number): MemRequest => ({ kind: 'state', addr: BigInt(addr), nbBlocks });
export { GiB, MiB };
