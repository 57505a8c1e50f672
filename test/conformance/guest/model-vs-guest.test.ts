/**
 * The same scenario through a real Linux 6.1 guest under QEMU 7.2 and through hotmem's machine
 * with its Linux 6.1 guest model: for every requested-size change both must converge on the
 * same plugged size with a final MEMORY_DEVICE_SIZE_CHANGE carrying it, both must negotiate the
 * same features, and the driver's probe lines must be the same. Timing is not compared: the
 * real guest runs under TCG in wall-clock time, the model in simulated time.
 */
import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { attachLinuxGuest } from '../../../src/cli/guest.js';
import { Machine } from '../../../src/machine/machine.js';
import { VIRTIO_MEM_RUNTIME } from '../../../devices/virtio-mem/index.js';
import { VIRTIO_STATUS, virtioStatusReply } from '../../../src/virtio/qmp-status.js';
import { runGuestScenario } from './boot.js';
import { findPrerequisites } from './prerequisites.js';
import { sizeArgument } from './qemu-args.js';
import type { GuestScenario, GuestTranscript } from './transcript.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Plug and unplug only: what both sides must agree on exactly. */
const PLUG_CYCLE: GuestScenario = {
  name: 'q35 ram, unplugged-inaccessible=on, online_movable, plug and unplug',
  machine: 'q35',
  accel: 'tcg',
  bootMemory: GiB,
  maxMemory: 4 * GiB,
  onlinePolicy: 'online_movable',
  virtioMem: { backend: 'ram', backendSize: 2 * GiB, share: false, requestedSize: 0, unpluggedInaccessible: 'on' },
  balloon: false,
  steps: [
    { kind: 'resize', requestedSize: 512 * MiB },
    { kind: 'resize', requestedSize: 1536 * MiB },
    { kind: 'resize', requestedSize: 256 * MiB },
    { kind: 'resize', requestedSize: 0 },
  ],
};

interface ModelStep {
  readonly pluggedSize: number;
  readonly lastEventSize: number | undefined;
}

function runModel(scenario: GuestScenario) {
  const mem = scenario.virtioMem;
  const { machine } = Machine.start(
    {
      release: '7.2',
      arch: 'x86_64',
      machine: scenario.machine,
      memory: `${sizeArgument(scenario.bootMemory)},maxmem=${sizeArgument(scenario.maxMemory)}`,
      items: [
        { kind: 'object', type: `memory-backend-${mem.backend}`, id: 'mem0', props: [{ name: 'size', value: sizeArgument(mem.backendSize) }] },
        {
          kind: 'device',
          driver: 'virtio-mem-pci',
          id: 'vm0',
          props: [
            { name: 'memdev', value: 'mem0' },
            { name: 'requested-size', value: sizeArgument(mem.requestedSize) },
            ...(mem.unpluggedInaccessible === null ? [] : [{ name: 'unplugged-inaccessible', value: mem.unpluggedInaccessible }]),
          ],
        },
      ],
    },
    qemuBinary(new Map([['qemu-version', '7.2']])).environment,
  );
  const guest = attachLinuxGuest(machine, { kernel: '6.1', onlinePolicy: scenario.onlinePolicy });
  const proxy = machine.model.resolvePath('vm0')!;
  let lastEvent: number | undefined;
  machine.events.on('MEMORY_DEVICE_SIZE_CHANGE', (e) => (lastEvent = e.data.size));
  guest.settle();
  const steps: ModelStep[] = [];
  for (const step of scenario.steps) {
    if (step.kind !== 'resize') throw new Error('PLUG_CYCLE resizes only');
    lastEvent = undefined;
    machine.model.setProperty(proxy, 'requested-size', { source: 'json', json: step.requestedSize });
    guest.settle();
    steps.push({ pluggedSize: proxy.get('size') as number, lastEventSize: lastEvent });
  }
  const runtime = proxy.child('virtio-backend')!.slots.get(VIRTIO_MEM_RUNTIME)!;
  const probeLines = guest.dmesg().flatMap((e) => (e.kind === 'dmesg' ? [e.text] : []));
  const view = machine.model.view.implementation('virtio-mem', VIRTIO_STATUS)!(proxy.child('virtio-backend')!)!;
  const status = virtioStatusReply(machine.release, machine.arch, view, true);
  const transport = { queueSel: status['queue-sel'], startOnKick: status['start-on-kick'], started: status['started'] };
  return { steps, guestFeatures: runtime.guestFeatures.bits().map(Number), probeLines, transport };
}

describe("conformance: hotmem's Linux 6.1 guest model against a booted Linux 6.1 guest", function () {
  this.timeout(300_000);
  let real: GuestTranscript | undefined;
  before(async function () {
    const found = await findPrerequisites();
    if (!found.ok) {
      console.log(`      SKIPPED, booting the guest needs: ${found.missing.join('; ')}`);
      this.skip();
    }
    real = await runGuestScenario(found.host, PLUG_CYCLE);
  });

  it('converges on the same plugged size after every requested-size change, announced by the last event', () => {
    const model = runModel(PLUG_CYCLE);
    const realSteps = real!.steps.filter((s) => s.step.kind === 'resize');
    assert.deepEqual(
      model.steps.map((s) => s.pluggedSize),
      realSteps.map((s) => s.pluggedSize),
    );
    realSteps.forEach((step, i) => {
      // QEMU throttles the event to one a second: the last one can land after the real step was
      // recorded, so only the events the real step saw are compared.
      const last = step.events.filter((e) => e.event === 'MEMORY_DEVICE_SIZE_CHANGE').at(-1);
      if (last && last.size === step.pluggedSize) assert.equal(model.steps[i]!.lastEventSize, last.size, `step ${i + 1}`);
    });
  });

  it('negotiates the same features', () => {
    assert.deepEqual(runModel(PLUG_CYCLE).guestFeatures, [...real!.virtioMem.status!.guestFeatures]);
  });

  it('reports the same queue-sel, start-on-kick and started once the driver is up', () => {
    const { queueSel, startOnKick, started } = real!.virtioMem.status!;
    assert.deepEqual(runModel(PLUG_CYCLE).transport, { queueSel, startOnKick, started });
  });

  it('prints the same virtio_mem probe lines', () => {
    const realLines = real!.steps.flatMap((s) => s.guest.kernelLog.map((l) => l.text)).filter((t) => t.startsWith('virtio_mem virtio'));
    const probe = (lines: readonly string[]) =>
      lines.filter((t) => /(start address|region size|device block size|nid|memory block size|subblock size):/.test(t));
    assert.deepEqual(probe(runModel(PLUG_CYCLE).probeLines), probe(realLines));
  });
});
