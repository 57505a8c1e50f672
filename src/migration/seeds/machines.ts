/**
 * Machines for the seed scenarios: a QEMU release and machine type on a host of a given arch and
 * kernel, and a guest that brings virtio-mem memory up the way Linux 5.16+ does (it accepts every
 * offered feature, then plugs from the start of the region what the device requests).
 */
import type { Arch } from '../../core/arch.js';
import { qemuBinary } from '../../cli/binary.js';
import { freshHost } from '../../host/host.js';
import { Machine, type MachineEnvironment, type StartupItem } from '../../machine/machine.js';
import { handshake } from '../../virtio/driver-handshake.js';
import { VIRTIO_MEM_RUNTIME } from '../../../devices/virtio-mem/runtime-key.js';
import { encodeRequest } from '../../../devices/virtio-mem/request.js';

/**
 * The modelled binary of a release and target.
 */
export function seedEnvironment(release: string, arch: Arch): MachineEnvironment {
  return qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  ).environment;
}

export interface SeedMachineSpec {
  readonly release: string;
  readonly arch: Arch;
  /** Host kernel, `linux-X.Y`. */
  readonly kernel: string;
  readonly accel: 'kvm' | 'tcg';
  readonly machine?: string;
  /** The -m argument. */
  readonly memory: string;
  /** -machine memory-backend=<id>, with that backend among `items`. */
  readonly memoryBackend?: string;
  readonly items?: readonly StartupItem[];
  /** Huge pages the host has reserved, by page size (none unless given, as on a fresh host). */
  readonly hugetlbPages?: Readonly<Record<number, number>>;
}

/** Starts the machine on a host of its own; `env` replaces the modelled binary (to add test types). */
export function startSeedMachine(spec: SeedMachineSpec, env: MachineEnvironment = seedEnvironment(spec.release, spec.arch)): Machine {
  const host = freshHost({ arch: spec.arch, kernel: spec.kernel, ...(spec.hugetlbPages ? { hugetlbPages: spec.hugetlbPages } : {}) });
  const { machine } = Machine.start(
    {
      release: spec.release,
      arch: spec.arch,
      accel: spec.accel,
      memory: spec.memory,
      host,
      ...(spec.machine === undefined ? {} : { machine: spec.machine }),
      ...(spec.memoryBackend === undefined ? {} : { machineProps: [{ name: 'memory-backend', value: spec.memoryBackend }] }),
      items: spec.items ?? [],
    },
    env,
  );
  // Started without -S, the guest runs; migrate() stops a destination until it takes over.
  machine.runState = 'running';
  return machine;
}

/**
 * The guest's virtio-mem driver, reduced to what the seeds need: negotiate (accepting every
 * offered feature, as Linux 5.16+ does), then plug `bytes` from the start of the region after
 * the device was asked for them. Returns the plugged size.
 */
export function plugVirtioMem(machine: Machine, proxyId: string, bytes: number): number {
  const proxy = machine.model.resolvePath(proxyId);
  const runtime = proxy?.child('virtio-backend')?.slots.get(VIRTIO_MEM_RUNTIME);
  if (!proxy || !runtime) throw new Error(`internal: no virtio-mem device '${proxyId}'`);
  // Accepting everything offered, the device cannot refuse the set.
  if (handshake(runtime, runtime.readDeviceFeatures()) === 'refused') throw new Error(`internal: '${proxyId}' refused all its own features`);
  machine.model.setProperty(proxy, 'requested-size', { source: 'json', json: bytes });
  const blockSize = runtime.blockSize();
  const base = runtime.state.setup.addr;
  // A request names at most 65535 blocks (nb_blocks is a u16).
  for (let block = 0; block < bytes / blockSize; block += 65535) {
    const nbBlocks = Math.min(65535, bytes / blockSize - block);
    runtime.submit(0, { out: [encodeRequest({ kind: 'plug', addr: BigInt(base + block * blockSize), nbBlocks })], in: [new Uint8Array(10)] });
  }
  return runtime.pluggedSize();
}
