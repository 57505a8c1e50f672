/**
 * virtio_mem_device_realize, check by check in QEMU's order, as a function of the device's
 * properties and the facts of its machine and host. It resolves `auto` values, picks the block
 * size, and returns the device's setup and warnings, or throws QEMU's message.
 */
import type { Arch } from '../../src/core/arch.js';
import { defineErrors, type Warning } from '../../src/core/errors.js';
import { compareReleases, type Release } from '../../src/core/release.js';
import { hex, isAligned, MiB } from '../../src/core/units.js';
import { FeatureSet } from '../../src/virtio/feature-set.js';
import { sharedZeropage, type RamBlock } from '../../src/machine/ram-block.js';
import { VIRTIO_MEM_F_ACPI_PXM, VIRTIO_MEM_F_PERSISTENT_SUSPEND, VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE } from './features.js';
import type { VirtioMemSetup } from './state.js';

export const virtioMemErrors = defineErrors({
  'virtio-mem.memdev-not-set': () => "'memdev' property is not set",
  'virtio-mem.memdev-must-be-set': () => "'memdev' property must be set",
  'virtio-mem.memdev-busy': (a: { id: string }) => `'memdev' property specifies a busy memdev: ${a.id}`,
  'virtio-mem.memdev-prealloc': (a: { id: string }) =>
    `'memdev' property specifies a memdev with preallocation enabled: ${a.id}. Instead, specify 'prealloc=on' for the virtio-mem device. `,
  'virtio-mem.node': (a: { node: number; nodes: number }) => `'node' property has value '${a.node}', which exceedsthe number of numa nodes: ${a.nodes}`,
  'virtio-mem.mlock': () => 'Incompatible with mlock',
  'virtio-mem.dynamic-memslots': () => "'dynamic-memslots' property set to 'on' requires 'unplugged-inaccessible' to be 'on'",
  'virtio-mem.block-size-page': (a: { pageSize: number }) => `'block-size' property has to be at least the page size (${hex(a.pageSize)})`,
  'virtio-mem.requested-size-align': (a: { blockSize: number }) => `'requested-size' property has to be multiples of 'block-size' (${hex(a.blockSize)})`,
  'virtio-mem.memaddr-align': (a: { blockSize: number }) => `'memaddr' property has to be multiples of 'block-size' (${hex(a.blockSize)})`,
  'virtio-mem.memdev-size-align': (a: { blockSize: number }) => `'memdev' property memdev size has to be multiples of'block-size' (${hex(a.blockSize)})`,
  'virtio-mem.discard-disabled': () => 'Discarding RAM is disabled',
  'virtio-mem.block-size-frozen': () => "'block-size' cannot be changed",
  'virtio-mem.block-size-min': (a: { min: number }) => `'block-size' property has to be at least ${hex(a.min)}`,
  'virtio-mem.block-size-pow2': () => "'block-size' property has to be a power of two",
  'virtio-mem.requested-size-multiple': (a: { blockSize: number }) => `'requested-size' has to be multiples of 'block-size' (${hex(a.blockSize)})`,
  'virtio-mem.requested-size-max': (a: { size: number }) => `'requested-size' cannot exceed the memory backend size(${hex(a.size)})`,
  'virtio-mem.unplug-pending': () => "'requested-size' cannot be changed if the device is in the process of unplug",
  'virtio-mem.unplug-inaccessible-off': () => "virtio-mem device cannot get unplugged while 'unplugged-inaccessible' != 'on'",
  'virtio-mem.unplug-plugged': (a: { modern: boolean }) =>
    a.modern
      ? 'virtio-mem device cannot get unplugged while some of its memory is still plugged'
      : "virtio-mem device cannot get unplugged while 'size' != '0'",
  'virtio-mem.unplug-requested': () => "virtio-mem device cannot get unplugged while 'requested-size' != '0'",
  // warnings
  'virtio-mem.warn-block-size-small': (a: { defaultMiB: number }) =>
    `'block-size' property is smaller than the default block size (${a.defaultMiB.toString(16)} MiB)`,
  'virtio-mem.warn-inaccessible-off': () => "'unplugged-inaccessible' property set to 'off' with a memdev that does not support the shared zeropage.",
  'virtio-mem.warn-early-migration': () => 'Proper preallocation with migration requires a newer QEMU machine',
});

const atLeast = (r: Release, major: number, minor: number) => compareReleases(r, { major, minor }) >= 0;

/** VIRTIO_MEM_MIN_BLOCK_SIZE: QEMU_VMALLOC_ALIGN (2 MiB) in 5.1, 1 MiB from 5.2. */
export const minBlockSize = (r: Release): number => (atLeast(r, 5, 2) ? MiB : 2 * MiB);

/** The host facts realize reads: page size, THP size (hpage_pmd_size) and the arch. */
export interface HostFacts {
  readonly arch: Arch;
  readonly pageSize: number;
  readonly thpSize: number;
}

/**
 * virtio_mem_default_block_size: the THP size for base-page memory, at least 1 MiB for huge
 * pages; 5.1 used QEMU_VMALLOC_ALIGN for everything.
 */
export function defaultBlockSize(r: Release, block: Pick<RamBlock, 'pageSize'>, host: HostFacts): number {
  if (!atLeast(r, 5, 2)) return 2 * MiB;
  return block.pageSize === host.pageSize ? Math.max(block.pageSize, host.thpSize) : Math.max(block.pageSize, MiB);
}

/** The values realize reads from the device's properties (after compat, globals and options). */
export interface RealizeInput {
  readonly release: Release;
  readonly memdevId: string;
  readonly memdevMapped: boolean;
  readonly memdevPrealloc: boolean;
  readonly block: RamBlock;
  readonly addr: number;
  readonly node: number;
  readonly requestedSize: number;
  /** 0 means "not configured": realize picks the default. */
  readonly blockSize: number;
  readonly prealloc: boolean;
  /** Absent where the property does not exist (non-x86 targets, releases before 7.0). */
  readonly unpluggedInaccessible: 'on' | 'off' | 'auto' | undefined;
  readonly earlyMigration: boolean;
  readonly dynamicMemslots: boolean;
  /** Configured NUMA nodes (0 without -numa or an implicit node). */
  readonly numaNodes: number;
  /** The machine allocates numa_state (pc machines always do; s390 never). */
  readonly machineHasNumaState: boolean;
  /** qemu_wakeup_suspend_enabled(): pc machines register ACPI wakeup support. */
  readonly wakeupSuspend: boolean;
  /** ram_block_coordinated_discard_require refuses (a device that forbids discards is present). */
  readonly discardDisabled: boolean;
  /** -overcommit mem-lock=on or on-fault: the process locks guest memory, which unplugging would discard. */
  readonly memLocked: boolean;
  readonly host: HostFacts;
}

export interface RealizeOutput {
  readonly setup: VirtioMemSetup;
  readonly warnings: readonly Warning[];
  /** When unplugged-inaccessible was `auto`: the host fact it was resolved from. */
  readonly autoResolvedBecause?: string;
}

export function realizeVirtioMem(input: RealizeInput): RealizeOutput {
  const r = input.release;
  const e = virtioMemErrors;
  const warnings: Warning[] = [];
  if (input.memdevMapped) throw e.error('virtio-mem.memdev-busy', { id: input.memdevId });
  if (atLeast(r, 8, 0) && input.memdevPrealloc) throw e.error('virtio-mem.memdev-prealloc', { id: input.memdevId });
  if ((input.numaNodes > 0 && input.node >= input.numaNodes) || (input.numaNodes === 0 && input.node > 0)) {
    throw e.error('virtio-mem.node', { node: input.node, nodes: input.numaNodes || 1 });
  }
  if (input.memLocked) throw e.error('virtio-mem.mlock');

  // Only x86 has guests old enough to need `off`; elsewhere unplugged memory is always inaccessible.
  let inaccessible: 'on' | 'off' = 'on';
  let autoResolvedBecause: string | undefined;
  if (input.unpluggedInaccessible !== undefined) {
    const facts = sharedZeropage(input.block, input.host.pageSize);
    const zeropage = facts.has;
    if (input.unpluggedInaccessible === 'auto') {
      autoResolvedBecause = `memdev '${input.memdevId}' ${facts.because}, which has ${zeropage ? 'the' : 'no'} shared zeropage`;
    }
    inaccessible = input.unpluggedInaccessible === 'auto' ? (zeropage ? 'off' : 'on') : input.unpluggedInaccessible;
    if (input.unpluggedInaccessible === 'off' && !zeropage) warnings.push(e.warning('virtio-mem.warn-inaccessible-off'));
  } else if (!atLeast(r, 7, 0)) {
    // Before 7.0 the feature did not exist: the device behaves as `off` and never offers it.
    inaccessible = 'off';
  }
  if (input.dynamicMemslots && inaccessible !== 'on') throw e.error('virtio-mem.dynamic-memslots');

  const fallback = defaultBlockSize(r, input.block, input.host);
  const blockSize = input.blockSize === 0 ? fallback : input.blockSize;
  if (blockSize < input.block.pageSize) throw e.error('virtio-mem.block-size-page', { pageSize: input.block.pageSize });
  if (blockSize < fallback) warnings.push(e.warning('virtio-mem.warn-block-size-small', { defaultMiB: fallback / MiB }));
  if (!isAligned(input.requestedSize, blockSize)) throw e.error('virtio-mem.requested-size-align', { blockSize });
  if (!isAligned(input.addr, blockSize)) throw e.error('virtio-mem.memaddr-align', { blockSize });
  if (!isAligned(input.block.size, blockSize)) throw e.error('virtio-mem.memdev-size-align', { blockSize });
  if (input.discardDisabled) throw e.error('virtio-mem.discard-disabled');
  if (atLeast(r, 8, 0) && !input.earlyMigration && input.prealloc) warnings.push(e.warning('virtio-mem.warn-early-migration'));

  let deviceFeatures = FeatureSet.EMPTY;
  if (input.machineHasNumaState) deviceFeatures = deviceFeatures.with(VIRTIO_MEM_F_ACPI_PXM);
  if (atLeast(r, 7, 0) && inaccessible === 'on') deviceFeatures = deviceFeatures.with(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
  if (atLeast(r, 9, 2) && input.wakeupSuspend) deviceFeatures = deviceFeatures.with(VIRTIO_MEM_F_PERSISTENT_SUSPEND);

  return {
    setup: {
      release: r,
      blockSize,
      addr: input.addr,
      regionSize: input.block.size,
      nodeId: input.node,
      unpluggedInaccessible: inaccessible,
      deviceFeatures,
      prealloc: input.prealloc,
      earlyMigration: input.earlyMigration,
      dynamicMemslots: input.dynamicMemslots,
      // virtio_mem_usable_extent_size: 2 * 128 MiB on x86 and s390x.
      usableExtent: 256 * MiB,
    },
    warnings,
    ...(autoResolvedBecause === undefined ? {} : { autoResolvedBecause }),
  };
}
