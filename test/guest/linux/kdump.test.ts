import assert from 'node:assert/strict';
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from '../../../devices/virtio-mem/features.js';
import type { Arch } from '../../../src/core/arch.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { crashDumpPlan } from '../../../src/guest/linux/kdump.js';
import { gpaRange } from '../../../src/guest/linux/ranges.js';
import { GuestWorkload } from '../../../src/guest/linux/workload.js';
import { FakeGuestMemory } from './fake-virtio-mem.js';
import { bootGuest, messages } from './fixtures.js';

const UI = FeatureSet.of(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);

/** Boots `first`, plugs 300 MiB, crashes, boots `kdump` as the crash kernel and copies /proc/vmcore. */
function crashAndDump(opts: { first: string; kdump: string; arch?: Arch; ui: boolean; blockSize?: number }) {
  const arch = opts.arch ?? 'x86_64';
  const first = bootGuest({
    kernel: opts.first,
    arch,
    device: {
      addr: 4 * GiB,
      regionSize: 4 * GiB,
      blockSize: opts.blockSize ?? 2 * MiB,
      requestedSize: 300 * MiB,
      deviceFeatures: opts.ui ? UI : FeatureSet.EMPTY,
    },
  });
  first.scheduler.runUntilIdle();
  const crash = bootGuest({ kernel: opts.kdump, arch, kdumpKernel: true, device: first.device, bootRam: [] });
  const memory = new FakeGuestMemory(first.device, opts.ui);
  const plan = crashDumpPlan(arch, first.ram, crash.driver);
  assert.equal(plan.kind, 'plan');
  return { first, crash, memory, plan: plan.plan, dump: new GuestWorkload(memory, crash.ram).readAll(plan.plan) };
}

describe('guest/linux kdump: what a crash dump reads of virtio-mem memory', () => {
  // The five probe lines match Debian's 6.1.0-56 booted under QEMU 7.2 with elfcorehdr= (is_kdump_kernel()).
  it('5.16+ kdump kernel: one STATE request per device block, unplugged blocks become zeros', () => {
    const { crash, dump, memory, plan } = crashAndDump({ first: '6.1', kdump: '6.1', ui: true });
    assert.equal(crash.probe.kind, 'kdump');
    assert.deepEqual(messages(crash.driver), [
      'start address: 0x100000000',
      'region size: 0x100000000',
      'device block size: 0x200000',
      'nid: 0',
      'memory hot(un)plug disabled in kdump kernel',
    ]);
    // The ELF header lists boot RAM and the three memory blocks the first kernel added.
    assert.deepEqual(plan.segments, [gpaRange(0, 4 * GiB), gpaRange(4 * GiB, 384 * MiB)]);
    assert.deepEqual(dump, { kind: 'done', bytesRead: 4 * GiB + 300 * MiB, bytesZeroFilled: 84 * MiB, problems: [] });
    const states = crash.driver.requests();
    assert.equal(states.length, 192);
    assert.ok(states.every((s) => s.request.kind === 'state' && s.request.nbBlocks === 1));
    assert.ok(memory.accesses.every((a) => a.gpa + a.length <= 4 * GiB + 300 * MiB));
    crash.device.setRequestedSize(1 * GiB);
    crash.scheduler.runUntilIdle();
    assert.equal(crash.driver.requests().length, 192, 'no plugging in kdump mode');
  });

  it('before 5.16 the kdump kernel refuses the device and the dump reads unplugged memory too', () => {
    const { crash, dump } = crashAndDump({ first: '5.15', kdump: '5.15', ui: false });
    assert.deepEqual(crash.driver.logLines(), ['virtio_mem virtio0: disabled in kdump kernel', 'virtio_mem: probe of virtio0 failed with error -16']);
    assert.deepEqual(dump, { kind: 'done', bytesRead: 4 * GiB + 384 * MiB, bytesZeroFilled: 0, problems: [] });
  });

  it('an old kdump kernel after a 5.16+ kernel that accepted UNPLUGGED_INACCESSIBLE reads inaccessible memory', () => {
    const { dump } = crashAndDump({ first: '6.1', kdump: '5.15', ui: true });
    assert.equal(dump.kind, 'done');
    assert.deepEqual(dump.problems, [{ range: gpaRange(4 * GiB, 384 * MiB), access: { kind: 'inaccessible', gpa: 4 * GiB + 300 * MiB } }]);
  });

  it('s390x: device memory is in the dump only from 6.14, where the kdump kernel asks for it itself', () => {
    const old = crashAndDump({ first: '6.13', kdump: '6.13', arch: 's390x', ui: true, blockSize: 1 * MiB });
    assert.deepEqual(old.plan.segments, [gpaRange(0, 4 * GiB)]);
    const now = crashAndDump({ first: '6.14', kdump: '6.14', arch: 's390x', ui: true, blockSize: 1 * MiB });
    // get_device_ram(): STATE over 256 MiB chunks of the usable region (556 MiB), then per block.
    const chunks = now.crash.driver
      .requests()
      .slice(0, 3)
      .map((r) => (r.request.kind === 'state' ? r.request.nbBlocks : -1));
    assert.deepEqual(chunks, [256, 256, 44]);
    assert.deepEqual(now.plan.segments, [gpaRange(0, 4 * GiB), gpaRange(4 * GiB, 512 * MiB)]);
    assert.deepEqual(now.dump, { kind: 'done', bytesRead: 4 * GiB + 300 * MiB, bytesZeroFilled: 212 * MiB, problems: [] });
  });

  it('a STATE request that never completes hangs the dump', () => {
    const first = bootGuest({ kernel: '6.1', device: { addr: 4 * GiB, regionSize: 4 * GiB, blockSize: 2 * MiB, requestedSize: 128 * MiB } });
    first.scheduler.runUntilIdle();
    const crash = bootGuest({ kernel: '6.1', kdumpKernel: true, device: first.device, bootRam: [] });
    first.device.script = () => 'detach';
    const plan = crashDumpPlan('x86_64', first.ram, crash.driver);
    assert.equal(plan.kind, 'plan');
    const dump = new GuestWorkload(new FakeGuestMemory(first.device, false), crash.ram).readAll(plan.plan);
    assert.deepEqual(dump, { kind: 'hung', gpa: 4 * GiB, bytesRead: 4 * GiB });
  });
});
