/**
 * What the VFIO container of one QEMU process maps for DMA, and so pins (hw/vfio/listener.c,
 * common.c before 10.0): the listener maps every RAM section of system memory when the first
 * group connects, and follows it as memory devices come and go. A section with a
 * RamDiscardManager (virtio-mem, 6.1+) is mapped only where it is populated, and plugging and
 * unplugging blocks maps and unmaps them (vfio_ram_discard_notify_populate/_discard). Before 6.1
 * VFIO and virtio-mem refuse each other (discard-coordination.ts), so the case does not arise.
 *
 * Mediated devices pin nothing through the container (their vendor driver pins on demand), so
 * only containers with a physical device map guest RAM here.
 */
import type { RamBlock } from '../../src/machine/ram-block.js';
import type { Machine } from '../../src/machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../../src/machine/memory-device.js';
import type { RamListener } from '../../src/machine/discard-coordination.js';
import type { QomObject } from '../../src/qom/object.js';
import type { Mapping } from '../../src/host/mapping.js';
import type { VfioDma } from '../../src/host/vfio.js';
import { vfioErrors } from './realize.js';

interface Section {
  readonly mapping: Mapping;
  readonly offset: number;
  readonly length: number;
}

const sameSection = (a: Section, b: Section): boolean => a.mapping === b.mapping && a.offset === b.offset && a.length === b.length;

/** The RAM sections VFIO maps now: initial RAM, then each memory device's populated parts. */
function sections(machine: Machine, leaving: QomObject | undefined): Section[] {
  const out: Section[] = [];
  const add = (block: RamBlock, offset: number, length: number) => {
    if (block.mapping && length > 0) out.push({ mapping: block.mapping, offset, length });
  };
  for (const piece of machine.initialRam) add(piece.block, piece.offset, piece.length);
  for (const device of machine.memoryDevices()) {
    if (device === leaving) continue;
    const ops = machine.model.view.implementation(device.type, MEMORY_DEVICE_OPS)!;
    const block = ops.ramBlock(device);
    if (block) for (const r of ops.populatedRanges(device)) add(block, r.offset, r.length);
  }
  return out;
}

/** Keeps a container's DMA mappings equal to what its listener would map. */
export class VfioListener implements RamListener {
  #mapped: Section[] = [];

  constructor(
    readonly machine: Machine,
    readonly dma: VfioDma,
  ) {}

  /** Maps what is missing and unmaps what is gone; `leaving` is a device whose region is being removed. */
  sync(leaving?: QomObject): void {
    const wanted = sections(this.machine, leaving);
    for (const s of this.#mapped.filter((m) => !wanted.some((w) => sameSection(m, w)))) this.dma.unmap(s.mapping, s.offset, s.length);
    this.#mapped = this.#mapped.filter((m) => wanted.some((w) => sameSection(m, w)));
    for (const s of wanted.filter((w) => !this.#mapped.some((m) => sameSection(m, w)))) {
      const done = this.dma.map(s.mapping, s.offset, s.length);
      // QEMU reports a failed vfio_dma_map per release and path (realize, hotplug, virtio-mem plug).
      if (done.kind === 'error') throw vfioErrors.error('vfio.dma-map-failed', { region: s.mapping.name, errno: done.errno });
      this.#mapped.push(s);
    }
  }

  /** The container closes: everything is unmapped. */
  close(): void {
    this.dma.unmapAll();
    this.#mapped = [];
  }

  regionAdded(): void {
    this.sync();
  }

  regionRemoved(device: QomObject): void {
    this.sync(device);
  }

  populated(): void {
    this.sync();
  }

  /**
   * Before the discard, as vfio_ram_discard_notify_discard: the device's state already says
   * unplugged, so syncing unmaps the blocks while their pages are still there.
   */
  discarding(): void {
    this.sync();
  }
}
