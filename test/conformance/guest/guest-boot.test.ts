/**
 * Boots Linux 6.1 under QEMU 7.2 (TCG) with virtio-mem and virtio-balloon and checks that what
 * real QEMU, the real guest driver and the host report is self-consistent. These transcripts
 * are the ground truth the hotmem models are later compared with. Skips, saying what is
 * missing, where QEMU 7.2 or the kernel is not installed.
 */
import assert from 'node:assert/strict';
import { runGuestScenario } from './boot.js';
import { findPrerequisites } from './prerequisites.js';
import { VIRTIO_MEM_ID, VIRTIO_MEM_PATH } from './qemu-args.js';
import { KERNEL_ZONE, MEMFD_COMPAT, MOVABLE_CYCLE } from './scenarios.js';
import type { GuestScenario, GuestTranscript, GuestView, RamBlockUsage, StepRecord, VirtioDeviceFacts, VirtioStatusFacts } from './transcript.js';

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const VIRTIO_ID_MEM = 24;
const VIRTIO_ID_BALLOON = 5;
const VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE = 1;
const VIRTIO_F_RING_RESET = 40;
/** ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK. */
const STATUS_READY = 0x0f;

/** Looked up once for all suites; each suite's `before` awaits it. */
const prerequisites = findPrerequisites();

/** One boot per suite, in `before`; the tests read its transcript. */
function bootedGuest(scenario: GuestScenario, checks: (transcript: () => GuestTranscript) => void): void {
  describe(`booted guest, ${scenario.accel}: ${scenario.name}`, function () {
    this.timeout(300_000);
    let transcript: GuestTranscript | undefined;
    before(async function () {
      const found = await prerequisites;
      if (!found.ok) {
        console.log(`      SKIPPED, booting the guest needs: ${found.missing.join('; ')}`);
        this.skip();
      }
      transcript = await runGuestScenario(found.host, scenario);
      const { origin } = transcript;
      if (origin.kind === 'real') console.log(`      boot ${origin.bootMs} ms, steps ${origin.stepMs.join(' / ')} ms`);
    });
    const get = (): GuestTranscript => {
      assert.ok(transcript, 'the boot did not produce a transcript');
      return transcript;
    };
    invariants(get);
    checks(get);
  });
}

/** What must hold in every transcript, whatever the scenario. */
function invariants(get: () => GuestTranscript): void {
  it('ran QEMU 7.2 and Linux 6.1', () => {
    const { origin } = get();
    assert.equal(origin.kind, 'real');
    assert.match(origin.qemuVersion, /^7\.2\./);
    assert.match(origin.guestKernel, /^6\.1\./);
  });

  it('the guest driver and QEMU agree on the negotiated features', () => {
    const t = get();
    const devices: { facts: VirtioDeviceFacts; id: number; driver: string }[] = [{ facts: t.virtioMem, id: VIRTIO_ID_MEM, driver: 'virtio_mem' }];
    if (t.balloon) devices.push({ facts: t.balloon, id: VIRTIO_ID_BALLOON, driver: 'virtio_balloon' });
    for (const { facts: device, id, driver } of devices) {
      const facts = statusOf(device);
      const seen = lastStep(t).guest.virtioDevices.find((d) => d.deviceId === id);
      assert.ok(seen, `the guest has no virtio device ${id}`);
      assert.equal(seen.driver, driver);
      assert.equal(seen.status, STATUS_READY);
      assert.deepEqual(seen.features, facts.guestFeatures);
      assert.ok(
        facts.guestFeatures.every((bit) => facts.hostFeatures.includes(bit)),
        'acked a bit not offered',
      );
      assert.ok(facts.statusBits.includes('VIRTIO_CONFIG_S_FEATURES_OK') && facts.statusBits.includes('VIRTIO_CONFIG_S_DRIVER_OK'));
    }
  });

  it('offers VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE exactly when the property resolved to on, and 6.1 acks it', () => {
    const { virtioMem } = get();
    const mem = statusOf(virtioMem);
    const on = virtioMem.unpluggedInaccessible === 'on';
    assert.equal(mem.hostFeatures.includes(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE), on);
    assert.equal(mem.guestFeatures.includes(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE), on);
  });

  it('each step ends on the plugged size of its last MEMORY_DEVICE_SIZE_CHANGE event', () => {
    const t = get();
    t.steps.forEach((step, i) => {
      // The device starts with nothing plugged; later steps start where the previous one ended.
      const before = i === 0 ? 0 : t.steps[i - 1]!.pluggedSize;
      const sizes = step.events.flatMap((e) => (e.event === 'MEMORY_DEVICE_SIZE_CHANGE' ? [e] : []));
      for (const e of sizes) {
        assert.equal(e.id, VIRTIO_MEM_ID);
        assert.equal(e.qomPath, VIRTIO_MEM_PATH);
        assert.equal(e.size % t.virtioMem.blockSize, 0);
      }
      assert.equal(step.progress.at(-1)?.pluggedSize, step.pluggedSize, describeStep(step));
      if (sizes.length > 0) assert.equal(sizes.at(-1)!.size, step.pluggedSize, describeStep(step));
      // A step moves one way: its events never overshoot and come back.
      const deltas = sizes.map((e, j) => e.size - (j === 0 ? before : sizes[j - 1]!.size));
      assert.ok(deltas.every((d) => d >= 0) || deltas.every((d) => d <= 0), `${describeStep(step)}: ${JSON.stringify(sizes)}`);
    });
  });

  it('MemTotal counts every plugged byte and every ballooned byte exactly', () => {
    const t = get();
    const boot = t.steps[0]!;
    const baseKiB = boot.guest.memTotalKiB - boot.pluggedSize / KiB;
    for (const step of t.steps) {
      const ballooned = step.balloonActual === null ? 0 : t.scenario.bootMemory - step.balloonActual;
      assert.equal(step.guest.memTotalKiB, baseKiB + (step.pluggedSize - ballooned) / KiB, describeStep(step));
    }
  });

  it('the device region holds whole online memory blocks covering the plugged size', () => {
    const t = get();
    for (const step of t.steps) {
      const blocks = deviceBlocks(t, step.guest);
      const added = step.guest.iomem.filter((e) => e.name === 'System RAM (virtio_mem)');
      const addedBytes = added.reduce((sum, e) => sum + e.end + 1 - e.start, 0);
      for (const e of added) {
        assert.ok(e.start >= t.virtioMem.address && e.end < t.virtioMem.address + t.virtioMem.regionSize);
      }
      assert.equal(addedBytes, blocks.length * step.guest.memoryBlockSize, describeStep(step));
      assert.ok(
        blocks.every((b) => b.state === 'online'),
        describeStep(step),
      );
      assert.ok(step.pluggedSize <= addedBytes, describeStep(step));
    }
  });

  it('the driver reports its geometry at probe and logs every new requested size', () => {
    const t = get();
    const bootLog = t.steps[0]!.guest.kernelLog.map((l) => l.text);
    const hex = (n: number): string => `0x${n.toString(16)}`;
    for (const line of [
      `start address: ${hex(t.virtioMem.address)}`,
      `region size: ${hex(t.virtioMem.regionSize)}`,
      `device block size: ${hex(t.virtioMem.blockSize)}`,
      `memory block size: ${hex(t.steps[0]!.guest.memoryBlockSize)}`,
    ]) {
      assert.ok(bootLog.includes(`virtio_mem virtio0: ${line}`), `no '${line}' in ${bootLog.join('\n')}`);
    }
    for (const step of t.steps) {
      if (step.step.kind !== 'resize') continue;
      const line = `virtio_mem virtio0: requested size: ${hex(step.step.requestedSize)}`;
      assert.ok(
        step.guest.kernelLog.some((l) => l.text === line),
        `${describeStep(step)}: no '${line}'`,
      );
    }
  });

  it('the backend is never more resident on the host than what is plugged', () => {
    const t = get();
    for (const step of t.steps) {
      assert.deepEqual(
        step.host.ramBlocks.map((b) => b.name),
        ['pc.ram', 'mem0'],
      );
      assert.ok(backend(step).rssKiB <= step.pluggedSize / KiB, `${describeStep(step)}: ${JSON.stringify(backend(step))}`);
    }
  });
}

bootedGuest(MOVABLE_CYCLE, (get) => {
  it('converges on every step', () => {
    for (const step of get().steps) assert.ok(step.converged, describeStep(step));
  });

  it('onlines hotplugged memory into ZONE_MOVABLE', () => {
    const t = get();
    const blocks = t.steps.flatMap((s) => deviceBlocks(t, s.guest));
    assert.ok(blocks.length > 0);
    for (const b of blocks) assert.deepEqual(b.zones, ['Movable'], `memory${b.index}`);
  });

  it('guest data lands in plugged memory and is migrated out of what gets unplugged', () => {
    const [fill, shrink] = fillAndNext(get());
    assert.ok(backend(fill).rssKiB >= GiB / KiB, JSON.stringify(backend(fill)));
    assert.equal(shrink.pluggedSize, 512 * MiB);
    assert.ok(bootRam(shrink).rssKiB > bootRam(fill).rssKiB, 'the migrated data did not move into boot memory');
  });

  it('unplugging everything removes the blocks and discards the backend on the host', () => {
    const t = get();
    const empty = t.steps.find((s) => s.step.kind === 'resize' && s.step.requestedSize === 0)!;
    assert.equal(empty.pluggedSize, 0);
    assert.deepEqual(deviceBlocks(t, empty.guest), []);
    assert.equal(backend(empty).rssKiB, 0);
  });

  it('the balloon reaches its target and says so in its last BALLOON_CHANGE', () => {
    const step = get().steps.at(-1)!;
    assert.equal(step.balloonActual, 768 * MiB);
    const changes = step.events.flatMap((e) => (e.event === 'BALLOON_CHANGE' ? [e.actual] : []));
    assert.equal(changes.at(-1), 768 * MiB);
  });
});

bootedGuest(KERNEL_ZONE, (get) => {
  it("resolves 'auto' to off on anonymous RAM", () => {
    assert.equal(get().virtioMem.unpluggedInaccessible, 'off');
  });

  it('plugs the boot-time requested size while the guest boots', () => {
    const boot = get().steps[0]!;
    assert.ok(boot.converged);
    assert.equal(boot.pluggedSize, 512 * MiB);
  });

  it('onlines hotplugged memory into ZONE_NORMAL', () => {
    const t = get();
    for (const b of t.steps.flatMap((s) => deviceBlocks(t, s.guest))) assert.deepEqual(b.zones, ['Normal'], `memory${b.index}`);
  });

  it('unplugging to 0 leaves at most one memory block plugged', () => {
    const t = get();
    for (const step of t.steps.filter((s) => s.requestedSize === 0)) {
      assert.ok(step.pluggedSize < t.steps[0]!.guest.memoryBlockSize, describeStep(step));
    }
  });
});

bootedGuest(MEMFD_COMPAT, (get) => {
  it("warns that 'off' on a memdev without the shared zeropage is unsafe", () => {
    const warning = "warning: 'unplugged-inaccessible' property set to 'off' with a memdev that does not support the shared zeropage.";
    assert.ok(
      get().qemuStderr.some((l) => l.endsWith(warning)),
      get().qemuStderr.join('\n'),
    );
    assert.equal(get().virtioMem.unpluggedInaccessible, 'off');
  });

  it('the 6.2 machine type offers neither unplugged-inaccessible nor ring reset', () => {
    const { hostFeatures } = statusOf(get().virtioMem);
    assert.ok(!hostFeatures.includes(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
    assert.ok(!hostFeatures.includes(VIRTIO_F_RING_RESET));
  });

  it('guest data in plugged memfd memory is shared memory on the host, and unplug frees it', () => {
    const t = get();
    const [fill, empty] = fillAndNext(t);
    assert.ok(backend(fill).rssKiB >= (256 * MiB) / KiB && backend(fill).anonymousKiB === 0, JSON.stringify(backend(fill)));
    assert.ok(fill.host.process.rssShmemKiB >= (256 * MiB) / KiB);
    assert.ok(empty.converged && empty.pluggedSize === 0, describeStep(empty));
    assert.equal(backend(empty).rssKiB, 0);
    assert.equal(empty.host.process.rssShmemKiB, 0);
  });
});

/** QEMU 7.2 has x-query-virtio-status. */
function statusOf(facts: VirtioDeviceFacts): VirtioStatusFacts {
  assert.ok(facts.status, `no x-query-virtio-status for ${facts.qomPath}`);
  return facts.status;
}

function lastStep(t: GuestTranscript): StepRecord {
  return t.steps.at(-1)!;
}

/** The first guest-fill step and the one after it. */
function fillAndNext(t: GuestTranscript): [StepRecord, StepRecord] {
  const at = t.steps.findIndex((s) => s.step.kind === 'guest-fill');
  assert.ok(at >= 0 && at + 1 < t.steps.length, 'no guest-fill step followed by another');
  return [t.steps[at]!, t.steps[at + 1]!];
}

/** Memory blocks inside the virtio-mem device's region. */
function deviceBlocks(t: GuestTranscript, view: GuestView): GuestView['memoryBlocks'] {
  const first = t.virtioMem.address / view.memoryBlockSize;
  const end = (t.virtioMem.address + t.virtioMem.regionSize) / view.memoryBlockSize;
  return view.memoryBlocks.filter((b) => b.index >= first && b.index < end);
}

function backend(step: StepRecord): RamBlockUsage {
  return step.host.ramBlocks.find((b) => b.name === 'mem0')!;
}

function bootRam(step: StepRecord): RamBlockUsage {
  return step.host.ramBlocks.find((b) => b.name === 'pc.ram')!;
}

function describeStep(step: StepRecord): string {
  return `step ${JSON.stringify(step.step)} (plugged ${step.pluggedSize / MiB} MiB, progress ${step.progress.map((p) => p.pluggedSize / MiB).join(' → ')})`;
}
