/**
 * virtio-balloon test fixtures: a modelled QEMU binary whose registry has the balloon types
 * (until devices/index.ts lists them), a started machine with one balloon, a Linux-like handshake
 * and elements as a driver builds them.
 */
import { qemuBinary } from '../../../src/cli/binary.js';
import type { Arch } from '../../../src/core/arch.js';
import { GiB, MiB } from '../../../src/core/units.js';
import type { QemuBinary } from '../../../src/frontends/cmdline/qemu.js';
import type { Host } from '../../../src/host/host.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import type { QomObject } from '../../../src/qom/object.js';
import type { VirtqueueElement } from '../../../src/virtio/virtqueue.js';
import { IOTHREAD_TYPES, VIRTIO_BALLOON_RUNTIME, VIRTIO_BALLOON_TYPES, type VirtioBalloonRuntime } from '../../../devices/virtio-balloon/index.js';
import { writeU32, type WireOrder } from '../../../devices/virtio-balloon/wire.js';

/** The modelled binary with the balloon's types added where the device table lacks them. */
export function balloonBinary(release = '7.2', arch: Arch = 'x86_64'): QemuBinary {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', arch],
    ]),
  );
  const registry = binary.environment.registry;
  const missing = [...VIRTIO_BALLOON_TYPES, ...IOTHREAD_TYPES].filter((t) => !registry.info(t.name));
  return { ...binary, environment: { ...binary.environment, registry: registry.extended(...missing) } };
}

export interface BalloonFixtureOptions {
  readonly release?: string;
  readonly arch?: Arch;
  readonly machine?: string;
  readonly memory?: string;
  /** Extra device properties, `k=v,k=v`. */
  readonly device?: string;
  /** A main RAM backend (`-machine memory-backend=ram0`): type and extra properties. */
  readonly backend?: { readonly type: string; readonly props?: string };
  readonly items?: readonly StartupItem[];
  readonly host?: Host;
  readonly accel?: 'tcg' | 'kvm';
}

export interface BalloonFixture {
  readonly machine: Machine;
  readonly proxy: QomObject;
  readonly device: QomObject;
  readonly runtime: VirtioBalloonRuntime;
}

export const props = (text: string | undefined): { name: string; value: string }[] =>
  text ? text.split(',').map((kv) => ({ name: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) })) : [];

export function startBalloon(opts: BalloonFixtureOptions = {}): BalloonFixture {
  const release = opts.release ?? '7.2';
  const arch = opts.arch ?? 'x86_64';
  const memory = opts.memory ?? '1G';
  const backendItems: StartupItem[] = opts.backend
    ? [{ kind: 'object', type: opts.backend.type, id: 'ram0', props: [{ name: 'size', value: memory }, ...props(opts.backend.props)] }]
    : [];
  const { machine } = Machine.start(
    {
      release,
      arch,
      machine: opts.machine ?? (arch === 'x86_64' ? 'q35' : undefined),
      memory,
      accel: opts.accel ?? 'tcg',
      ...(opts.host ? { host: opts.host } : {}),
      machineProps: opts.backend ? [{ name: 'memory-backend', value: 'ram0' }] : [],
      items: [
        ...backendItems,
        ...(opts.items ?? []),
        { kind: 'device', driver: arch === 'x86_64' ? 'virtio-balloon-pci' : 'virtio-balloon-ccw', id: 'balloon0', props: props(opts.device) },
      ],
    },
    balloonBinary(release, arch).environment,
  );
  const proxy = machine.model.resolvePath('balloon0')!;
  const device = proxy.child('virtio-backend')!;
  return { machine, proxy, device, runtime: device.slots.get(VIRTIO_BALLOON_RUNTIME)! };
}

export { handshake } from '../../../src/virtio/driver-handshake.js';

/** One inflate or deflate buffer: the 4 KiB PFNs of [gpa, gpa + length). */
export function pfnElement(gpa: number, length: number, order: WireOrder = 'le'): VirtqueueElement {
  const count = length / 4096;
  const bytes = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) writeU32(bytes, i * 4, gpa / 4096 + i, order);
  return { out: [bytes], in: [] };
}

/** Inflates [gpa, gpa + length) in elements of at most 256 PFNs, as Linux does. */
export function inflate(runtime: VirtioBalloonRuntime, gpa: number, length: number, queue = 0): void {
  for (let at = gpa; at < gpa + length; at += MiB) runtime.submit(queue, pfnElement(at, Math.min(MiB, gpa + length - at)));
}

export { GiB, MiB };
