/**
 * A modelled Linux guest running in a machine, where QEMU would boot a kernel with -kernel: its
 * RAM view (boot RAM from the machine's layout), a workload on its memory, and a virtio-mem
 * driver bound to every virtio-mem device, probed as the guest finds them. Everything it does
 * runs on the scheduler of the machine its VM is on; a completed migration moves the VM (and so
 * the guest, with all its state) to the destination machine.
 */
import { NANOS_PER_SECOND } from '../core/clock.js';
import { linuxGuestPages, type LinuxBalloonGuest } from './balloon/guest.js';
import type { GuestPages } from './balloon/guest-pages.js';
import type { Machine } from '../machine/machine.js';
import { GuestAllocator } from './balloon/reclaim.js';
import { FileData } from './linux/file-data.js';
import { GuestRam } from './linux/guest-ram.js';
import { kernelVersion, kernelVersionName, type KernelVersion } from './linux/kernel-version.js';
import { memmapBytes } from './linux/kernel-memory.js';
import { gpaRange, type GpaRange } from './linux/ranges.js';
import { LinuxVirtioMemDriver } from './linux/virtio-mem/driver.js';
import type { OnlinePolicy } from './linux/virtio-mem/hotplug-core.js';
import type { KernelLogEntry } from './linux/virtio-mem/log.js';
import { GuestWorkload } from './linux/workload.js';
import type { VirtioDriverPort } from '../virtio/driver-port.js';
import type { QomObject } from '../qom/object.js';
import { qdevDevPath } from '../machine/bus-address.js';
import { GuestVm, MovablePort } from './guest-vm.js';
import type { GuestMemoryPort } from './memory-port.js';

export interface LinuxGuestOptions {
  /** `6.1`, `linux-6.1`, ... */
  readonly kernel: string;
  readonly onlinePolicy?: OnlinePolicy;
  /** CONFIG_INIT_ON_ALLOC_DEFAULT_ON, as Debian's kernels have it. */
  readonly initOnAlloc?: boolean;
  /** init_on_free=1 on the kernel command line (Debian's default is off). */
  readonly initOnFree?: boolean;
}

/** How a guest finds the virtio device behind a machine device (the transport's port). */
export type PortFinder = (device: QomObject) => VirtioDriverPort | undefined;

interface BoundDriver {
  readonly driver: LinuxVirtioMemDriver;
  readonly port: MovablePort<VirtioDriverPort>;
}

/**
 * How a device is found again on the machine a migration moved the VM to: QEMU matches sections
 * by the qdev dev path and the description's name (a proxy and its virtio backend share the path).
 */
const deviceKey = (device: QomObject): string => `${qdevDevPath(device) ?? device.path()} ${device.type}`;

export class LinuxGuest {
  readonly kernel: KernelVersion;
  /** The VM the guest runs in: the machine it is on, which a migration changes. */
  readonly vm: GuestVm;
  readonly ram: GuestRam;
  /** Boot RAM's page allocator, shared by the balloon driver and (through `ram`) the kernel's own allocations. */
  readonly pages: GuestPages;
  readonly memory: GuestMemoryPort;
  readonly workload: GuestWorkload;
  /** Boot RAM's allocator with the fallbacks a workload's allocations have (the balloon registers its own). */
  readonly allocator: GuestAllocator;
  /** File data kept in RAM (tmpfs), as the booted guests' init script keeps it. */
  readonly files: FileData;
  /** The memmap (struct pages) of boot RAM, which a booted Linux keeps at the top of its RAM. */
  readonly bootMemmap: GpaRange;
  #drivers = new Map<QomObject, BoundDriver>();
  /** How to unbind the driver of each device a driver other than virtio-mem's is bound to. */
  #otherDrivers = new Map<QomObject, () => void>();
  /** Stops hearing the current machine's eject requests. */
  #unlistenEject: () => void;
  readonly #log: KernelLogEntry[] = [];

  constructor(
    machine: Machine,
    readonly options: LinuxGuestOptions,
    readonly virtioMemPort: PortFinder,
  ) {
    this.kernel = kernelVersion(options.kernel.replace(/^linux-/, ''));
    this.vm = new GuestVm(machine);
    this.vm.onMove((there) => this.#rebind(there));
    this.ram = new GuestRam(machine.layout.ram.map((r) => gpaRange(r.base, r.size)));
    this.memory = this.vm.memory;
    this.workload = new GuestWorkload(this.memory, this.ram);
    const top = machine.layout.ram.at(-1)!;
    const memmap = memmapBytes(machine.memory.ramSize);
    this.bootMemmap = gpaRange(top.base + top.size - memmap, memmap);
    // Reserved, so hotplug's allocations go elsewhere; written (made resident) only where a model
    // depends on it (the balloon's, attachLinuxGuest), so a guest that only reads costs no RSS.
    this.ram.markInUse(this.bootMemmap);
    this.pages = linuxGuestPages(
      machine,
      { kernel: this.kernel, initOnAlloc: options.initOnAlloc ?? true, initOnFree: options.initOnFree ?? false, pagePoisoning: false },
      () => this.vm.machine,
    );
    this.pages.reserve({ gpa: this.bootMemmap.start, length: this.bootMemmap.length });
    this.ram.shareBootAllocator(this.pages);
    this.allocator = new GuestAllocator(this.pages);
    this.files = new FileData(this.allocator, this.memory);
    this.discoverDevices();
    this.#unlistenEject = machine.onEjectRequest((device) => this.#ejectRequested(device));
  }

  /** A driver bound to `device` outside this class (the balloon's), with its remove callback. */
  bindDriver(device: QomObject, remove: () => void): void {
    this.#otherDrivers.set(device, remove);
  }

  /**
   * acpiphp, on an eject request for a PCI slot: the function's driver is removed, then the slot
   * ejected (_EJ0), as work of the guest's. virtio-mem's remove has nothing to give back: the
   * device could only be unplugged with nothing plugged. ACPI memory hot-unplug of a DIMM is not
   * modelled (this guest does not online DIMM memory), so a DIMM's eject waits as it would
   * without a guest.
   */
  #ejectRequested(device: QomObject): void {
    if (this.machine.busOf(device)?.hotplug !== 'acpi-pcihp') return;
    this.vm.timeline.after(0, () => {
      if (!this.machine.ejectRequested(device)) return;
      this.#drivers.delete(device);
      this.#otherDrivers.get(device)?.();
      this.#otherDrivers.delete(device);
      this.machine.ejectDevice(device);
    });
  }

  /** The machine the guest runs on now. */
  get machine(): Machine {
    return this.vm.machine;
  }

  get name(): string {
    return `linux-${kernelVersionName(this.kernel)}`;
  }

  /** Binds a driver to every virtio-mem device not seen yet (boot, or after a hotplug). */
  discoverDevices(): void {
    let index = this.#drivers.size;
    for (const device of this.machine.memoryDevices()) {
      if (this.#drivers.has(device)) continue;
      const found = this.virtioMemPort(device);
      if (!found) continue;
      const port = new MovablePort(found, ['onConfigChange']);
      const driver = new LinuxVirtioMemDriver(
        port.port,
        this.memory,
        this.vm.timeline,
        {
          kernel: this.kernel,
          arch: this.machine.arch,
          deviceName: `virtio${index++}`,
          ram: this.ram,
          onlinePolicy: this.options.onlinePolicy ?? 'online_movable',
          initOnAlloc: this.options.initOnAlloc ?? true,
          kernelAllocations: true,
          // Node i's SRAT proximity domain is i (QEMU numbers PXMs by node); the device region
          // belongs to the last node, as QEMU's SRAT hotplug entry says.
          numa: {
            pxmToNode: new Map(this.machine.numaNodes.map((n) => [n.nodeId, n.nodeId])),
            nodeOfDeviceAddress: Math.max(0, this.machine.numaNodes.length - 1),
          },
        },
        (entry) => this.#log.push(entry),
      );
      this.#drivers.set(device, { driver, port });
      driver.probe();
    }
  }

  /**
   * The VM moved to `machine`: each driver talks to the same device there (the migration only
   * completes when the destination loaded every device's section, so each one is there), and
   * the guest hears that machine's eject requests.
   */
  #rebind(machine: Machine): void {
    const there = new Map(
      machine.model
        .objectsOfType('device')
        .filter((d) => d.realized)
        .map((d) => [deviceKey(d), d]),
    );
    const moved = (device: QomObject): QomObject => {
      const found = there.get(deviceKey(device));
      if (!found) throw new Error(`the VM moved to a machine without the device at ${deviceKey(device)}`);
      return found;
    };
    const rebound = new Map<QomObject, BoundDriver>();
    for (const [device, bound] of this.#drivers) {
      const target = moved(device);
      const port = this.virtioMemPort(target);
      if (!port) throw new Error(`the VM moved to a machine whose device at ${deviceKey(device)} is no virtio-mem device`);
      bound.port.moveTo(port);
      rebound.set(target, bound);
    }
    this.#drivers = rebound;
    this.#otherDrivers = new Map([...this.#otherDrivers].map(([device, remove]) => [moved(device), remove]));
    this.#unlistenEject();
    this.#unlistenEject = machine.onEjectRequest((device) => this.#ejectRequested(device));
  }

  drivers(): readonly LinuxVirtioMemDriver[] {
    return [...this.#drivers.values()].map((b) => b.driver);
  }

  /** The driver bound (or not) to a memory device, once the guest has found it. */
  driverOf(device: QomObject): LinuxVirtioMemDriver | undefined {
    return this.#drivers.get(device)?.driver;
  }

  /** dmesg, as lines. */
  dmesg(): readonly KernelLogEntry[] {
    return this.#log;
  }

  /** The guest's balloon driver, when the machine has a balloon. */
  balloon: LinuxBalloonGuest | undefined;

  /**
   * Lets the guest run until it has nothing left to do. Ten simulated minutes bound it: enough
   * for a 100 GiB balloon to inflate, while periodic work (stats polling) never goes idle.
   */
  settle(): void {
    this.discoverDevices();
    this.machine.scheduler.runUntilIdle(10_000_000, 600 * NANOS_PER_SECOND);
  }
}
