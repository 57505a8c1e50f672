/**
 * The seed balloon scenario's start, programmatically: a 100 GiB guest whose balloon is set to
 * 60 GiB (`balloon 40G`, the logical size) while it boots, with free page reporting on, on QEMU
 * 7.2 under KVM. For each architecture and host kernel era it prints what the host spends once
 * the guest has reached the target, then after a 30 GiB workload in the guest came and went
 * (free page reporting gives it back from Linux 5.7; a 5.4 guest keeps it), and then when QEMU
 * reads all guest memory as a dump does, where the host kernel era decides whether ballooned
 * and reported memory comes back (s390x KVM hosts 4.14-6.9 forbid the shared zeropage).
 *
 * The guest's boot footprint is its memmap, 64 bytes of struct page per 4 KiB page, written at
 * boot. Both guest kernels zero every allocation, as Debian's 6.1 does
 * (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y), so inflating touches each page just before the host
 * discards it. Run: node dist/examples/balloon/seed-start.js
 */
import type { Arch } from '../../src/core/arch.js';
import { GiB } from '../../src/core/units.js';
import { Host } from '../../src/host/host.js';
import { archProfile } from '../../src/host/arch.js';
import { Machine } from '../../src/machine/machine.js';
import { RAM_BLOCK } from '../../src/machine/ram-block.js';
import { kernelVersion } from '../../src/guest/linux/kernel-version.js';
import { linuxBalloonGuest } from '../../src/guest/balloon/guest.js';
import { TCG_ROUND_NANOS } from '../../src/guest/balloon/driver.js';
import { qemuBinary } from '../../src/cli/binary.js';
import { IOTHREAD_TYPES, VIRTIO_BALLOON_RUNTIME, VIRTIO_BALLOON_TYPES } from '../../devices/virtio-balloon/index.js';

const RAM = 100 * GiB;
const TARGET = 40 * GiB;
const WORKLOAD = 30 * GiB;
/** sizeof(struct page) on 64-bit Linux. */
const STRUCT_PAGE = 64;

interface Row {
  readonly arch: Arch;
  readonly host: string;
  readonly guest: string;
  readonly memTotal: number;
  readonly actual: number;
  readonly seconds: number;
  readonly booted: number;
  readonly afterWorkload: number;
  readonly afterDump: number;
}

function environment(arch: Arch) {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', '7.2'],
      ['arch', arch],
    ]),
  );
  const registry = binary.environment.registry;
  const missing = [...VIRTIO_BALLOON_TYPES, ...IOTHREAD_TYPES].filter((t) => !registry.info(t.name));
  return { ...binary.environment, registry: registry.extended(...missing) };
}

function run(arch: Arch, hostKernel: string, guestKernel: string): Row {
  const host = new Host({ arch, kernel: hostKernel, hugetlbPages: Object.fromEntries(archProfile(arch).hugetlbPageSizes.map((s) => [s, 0])) });
  const { machine } = Machine.start(
    {
      release: '7.2',
      arch,
      machine: arch === 'x86_64' ? 'pc-q35-7.2' : 's390-ccw-virtio-7.2',
      accel: 'kvm',
      memory: '100G',
      host,
      items: [
        {
          kind: 'device',
          driver: arch === 'x86_64' ? 'virtio-balloon-pci' : 'virtio-balloon-ccw',
          id: 'balloon0',
          props: [{ name: 'free-page-reporting', value: 'on' }],
        },
      ],
    },
    environment(arch),
  );
  const runtime = machine.model.resolvePath('balloon0')!.child('virtio-backend')!.slots.get(VIRTIO_BALLOON_RUNTIME)!;
  // `balloon 40G` at the prelaunch prompt: the guest finds the target when its driver probes.
  runtime.toTarget(TARGET);
  const guest = linuxBalloonGuest(machine, runtime, { kernel: kernelVersion(guestKernel), initOnAlloc: true, initOnFree: false, pagePoisoning: false });
  // memblock puts the memmap at the top of memory; the kernel initialises every struct page.
  const memmap = (RAM / 4096) * STRUCT_PAGE;
  const top = machine.layout.ram.at(-1)!;
  const memmapAt = top.base + top.size - memmap;
  guest.pages.reserve({ gpa: memmapAt, length: memmap });
  guest.pages.options.memory.write(memmapAt, memmap, 1);
  guest.driver.probe();
  machine.scheduler.runUntilIdle();
  const seconds = machine.clock.now() / 1e9;
  const booted = host.meminfo().total;
  const workload = guest.allocator.allocate(WORKLOAD);
  if (workload.kind !== 'done') throw new Error('the workload did not fit');
  for (const r of workload.ranges) guest.pages.options.memory.write(r.gpa, r.length, 2);
  guest.allocator.free(workload.ranges);
  machine.scheduler.runUntilIdle();
  const afterWorkload = host.meminfo().total;
  const ram = machine.model.resolvePath(`/objects/${machine.family.defaultRamId}`)!.slots.get(RAM_BLOCK)!;
  ram.mapping!.read(0, ram.size);
  return {
    arch,
    host: hostKernel,
    guest: guestKernel,
    memTotal: guest.pages.memTotal(),
    actual: runtime.actualBytes(),
    seconds,
    booted,
    afterWorkload,
    afterDump: host.meminfo().total,
  };
}

const CONFIGS: ReadonlyArray<readonly [Arch, string, string]> = [
  ['x86_64', 'linux-6.1', '5.4'],
  ['x86_64', 'linux-6.1', '6.1'],
  ['s390x', 'linux-4.9', '6.1'],
  ['s390x', 'linux-4.14', '5.4'],
  ['s390x', 'linux-4.14', '6.1'],
  ['s390x', 'linux-6.10', '6.1'],
];

const gib = (n: number): string => `${(n / GiB).toFixed(2)} GiB`.padStart(11);
console.log('100 GiB guest, balloon 40G set at boot, free-page-reporting=on, QEMU 7.2, KVM; host memory in use (RSS + page tables)');
console.log(
  `${'arch'.padEnd(7)} ${'host'.padEnd(11)} ${'guest'.padEnd(5)} ${'MemTotal'.padStart(11)} ${'query-bal.'.padStart(11)} ${'reached'.padStart(8)} ${'booted'.padStart(11)} ${'+30G came'.padStart(11)} ${'dump read'.padStart(11)}`,
);
for (const [arch, hostKernel, guestKernel] of CONFIGS) {
  const r = run(arch, hostKernel, guestKernel);
  console.log(
    `${r.arch.padEnd(7)} ${r.host.padEnd(11)} ${r.guest.padEnd(5)} ${gib(r.memTotal)} ${gib(r.actual)} ${`${r.seconds.toFixed(1)} s`.padStart(8)} ${gib(r.booted)} ${gib(r.afterWorkload)} ${gib(r.afterDump)}`,
  );
}
console.log(`(one 1 MiB inflation round per ${TCG_ROUND_NANOS / 1e6} ms, as measured under TCG; "reached": the guest idle again)`);
