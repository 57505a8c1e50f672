/**
 * A booted-guest scenario run through hotmem instead of real QEMU: the same machine (release,
 * machine type, memory, devices, `-append memhp_default_state`), hotmem's modelled Linux guest of
 * the kernel series, the same steps over the API, and after each step what the real harness
 * records: plugged size, balloon actual, the driver's log and the guest-RAM RSS on the host.
 */
import { qemuBinary } from '../../../src/cli/binary.js';
import { attachLinuxGuest } from '../../../src/cli/guest.js';
import { Machine } from '../../../src/machine/machine.js';
import { VIRTIO_STATUS, virtioStatusReply } from '../../../src/virtio/qmp-status.js';
import { BALLOON_HANDLER } from '../../../devices/virtio-balloon/balloon-handler.js';
import type { QomObject } from '../../../src/qom/object.js';
import { BALLOON_ID, MEMDEV_ID, sizeArgument, VIRTIO_MEM_ID } from './qemu-args.js';
import { featureBits, statusNames, type VirtioFeatureList } from './qmp-decode.js';
import type { GuestScenario, VirtioStatusFacts } from './transcript.js';

export interface ModelStep {
  readonly pluggedSize: number;
  readonly balloonActual: number | null;
  /** RSS of each RAMBlock's mapping, KiB, by QEMU's RAMBlock name. */
  readonly ramBlockRssKiB: Readonly<Record<string, number>>;
}

export interface ModelTranscript {
  /** The boot record first, then one per scenario step, as the real transcript has them. */
  readonly steps: readonly ModelStep[];
  readonly virtioMem: VirtioStatusFacts;
  readonly balloon: VirtioStatusFacts | null;
  /** dmesg text, in order. */
  readonly kernelLog: readonly string[];
}

export function runModelScenario(scenario: GuestScenario, qemuRelease: string, kernelSeries: string): ModelTranscript {
  const mem = scenario.virtioMem;
  const { machine } = Machine.start(
    {
      release: qemuRelease,
      arch: 'x86_64',
      machine: scenario.machine,
      memory: `${sizeArgument(scenario.bootMemory)},maxmem=${sizeArgument(scenario.maxMemory)}`,
      items: [
        {
          kind: 'object',
          type: `memory-backend-${mem.backend}`,
          id: MEMDEV_ID,
          props: [{ name: 'size', value: sizeArgument(mem.backendSize) }, ...(mem.share ? [{ name: 'share', value: 'on' }] : [])],
        },
        {
          kind: 'device',
          driver: 'virtio-mem-pci',
          id: VIRTIO_MEM_ID,
          props: [
            { name: 'memdev', value: MEMDEV_ID },
            { name: 'requested-size', value: sizeArgument(mem.requestedSize) },
            ...(mem.unpluggedInaccessible === null ? [] : [{ name: 'unplugged-inaccessible', value: mem.unpluggedInaccessible }]),
          ],
        },
        ...(scenario.balloon ? [{ kind: 'device' as const, driver: 'virtio-balloon-pci', id: BALLOON_ID, props: [] }] : []),
      ],
    },
    qemuBinary(new Map([['qemu-version', qemuRelease]])).environment,
  );
  const guest = attachLinuxGuest(machine, { kernel: kernelSeries, onlinePolicy: scenario.onlinePolicy });
  const proxy = machine.model.resolvePath(VIRTIO_MEM_ID)!;
  const balloon = machine.model.services.get(BALLOON_HANDLER);
  const record = (): ModelStep => ({
    pluggedSize: proxy.get('size') as number,
    balloonActual: balloon ? balloon.actual() : null,
    ramBlockRssKiB: Object.fromEntries(machine.process.mappings.map((m) => [m.name, m.rssBytes / 1024])),
  });
  guest.settle();
  const steps = [record()];
  for (const step of scenario.steps) {
    switch (step.kind) {
      case 'resize':
        machine.model.setProperty(proxy, 'requested-size', { source: 'json', json: step.requestedSize });
        break;
      case 'balloon':
        if (!balloon) throw new Error('a balloon step needs the balloon device');
        balloon.toTarget(step.target);
        break;
      case 'guest-fill':
        throw new Error('guest-fill is not run on the model: its workload has no tmpfs');
    }
    guest.settle();
    steps.push(record());
  }
  const status = (device: QomObject | undefined, type: string): VirtioStatusFacts | null => {
    const backend = device?.child('virtio-backend');
    const view = backend && machine.model.view.implementation(type, VIRTIO_STATUS)?.(backend);
    if (!view) return null;
    const reply = virtioStatusReply(machine.release, machine.arch, view, true) as {
      'host-features': VirtioFeatureList;
      'guest-features': VirtioFeatureList;
      status: { statuses: readonly string[] };
      'queue-sel': number;
      'start-on-kick': boolean;
      started: boolean;
    };
    return {
      hostFeatures: featureBits(reply['host-features']),
      guestFeatures: featureBits(reply['guest-features']),
      statusBits: statusNames(reply.status.statuses),
      queueSel: reply['queue-sel'],
      startOnKick: reply['start-on-kick'],
      started: reply.started,
    };
  };
  return {
    steps,
    virtioMem: status(proxy, 'virtio-mem')!,
    balloon: status(machine.model.resolvePath(BALLOON_ID), 'virtio-balloon-device'),
    kernelLog: guest.dmesg().flatMap((e) => (e.kind === 'dmesg' ? [e.text] : [])),
  };
}
