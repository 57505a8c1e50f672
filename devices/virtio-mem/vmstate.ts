/**
 * What migration needs from virtio-mem (hw/virtio/virtio-mem.c; 7.2 = b67b00e6b4, 8.0 =
 * c1eb2ddf0f): its device state and the ranges RAM migration must skip.
 *
 * - `virtio-mem` (version 1): VMSTATE_VIRTIO_DEVICE around `virtio-mem-device`, whose fields are
 *   the sanity-check tmp (`virtio-mem-device/sanity-checks`: addr, region_size, block_size,
 *   node), usable_region_size, size, requested_size and the plugged bitmap. From 8.0 the tmp,
 *   size and bitmap are left out when x-early-migration is on (virtio_mem_vmstate_field_exists).
 * - `virtio-mem-device-early` (8.0+, registered only with x-early-migration, early_setup): the
 *   tmp, size and bitmap, loaded in the setup phase before any RAM page.
 *
 * The sanity checks fail with QEMU's messages; requested-size and unplugged-inaccessible are not
 * checked (the first comes from the stream, the second is not migrated at all — a guest that
 * acked VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE fails in virtio_load's feature check when the
 * destination does not offer it, and this file says why).
 */
import { defineErrors, HotmemError, type Warning } from '../../src/core/errors.js';
import { compareReleases, type Release } from '../../src/core/release.js';
import { hex } from '../../src/core/units.js';
import { discardRange } from '../../src/machine/ram-discard.js';
import { migrationErrors } from '../../src/migration/errors.js';
import { applyVirtioDevice, checkVirtioDevice, saveVirtioDevice, VIRTIO_FIELD, type VirtioQueues } from '../../src/migration/virtio-device.js';
import type { BlockRange, RamDiscardManager } from '../../src/migration/ram-discard-manager.js';
import { raisedAt, tmpPassesError, withinField } from '../../src/migration/vmstate-failure.js';
import { MIG_PRI, vmBitmap, vmSection, vmStruct, vmU32, vmU64, type VmField, type VmReader, type VmStateDescription } from '../../src/migration/vmstate.js';
import type { QomObject } from '../../src/qom/object.js';
import { FeatureSet, featureNames } from '../../src/virtio/feature-set.js';
import { queueSizes } from '../../src/virtio/queue-sizes.js';
import { STATUS_FEATURES_OK, hasStatus, deviceStatus } from '../../src/virtio/status.js';
import { TRANSPORT_FEATURE_NAMES } from '../../src/virtio/transport-features.js';
import { VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE, VIRTIO_MEM_FEATURE_NAMES } from './features.js';
import { virtioMemErrors } from './realize.js';
import type { VirtioMemRuntime } from './runtime.js';
import { VIRTIO_MEM_RUNTIME } from './runtime-key.js';

/** virtio_mem_mig_sanity_checks_post_load, word for word. */
export const virtioMemMigrationErrors = defineErrors({
  'virtio-mem.mig-addr': (a: { from: number; to: number }) => `Property 'memaddr' changed from ${hex(a.from)} to ${hex(a.to)}`,
  'virtio-mem.mig-region-size': (a: { from: number; to: number }) => `Property 'memdev' size changed from ${hex(a.from)} to ${hex(a.to)}`,
  'virtio-mem.mig-block-size': (a: { from: number; to: number }) => `Property 'block-size' changed from ${hex(a.from)} to ${hex(a.to)}`,
  'virtio-mem.mig-node': (a: { from: number; to: number }) => `Property 'node' changed from ${a.from} to ${a.to}`,
  'virtio-mem.mig-prealloc': (a: { error: string }) => `qemu_prealloc_mem: preallocating memory failed: ${a.error}`,
});

const DEVICE = 'virtio-mem-device';
const EARLY_SECTION = 'virtio-mem-device-early';
const EINVAL = 22;
const SANITY = 'virtio-mem-device/sanity-checks';

/** virtio_mem_device_realize: one request queue, virtio_add_queue(vdev, 128, ...), 5.1 on. */
const REQUEST_QUEUE_SIZE = 128;

const queuesOf = (obj: QomObject): VirtioQueues => {
  const release = obj.model.env.release;
  return { release, sizes: queueSizes(release, [REQUEST_QUEUE_SIZE]) };
};

function runtimeOf(obj: QomObject): VirtioMemRuntime {
  const runtime = obj.slots.get(VIRTIO_MEM_RUNTIME);
  if (!runtime) throw new Error(`internal: ${obj.path()} is not a realized virtio-mem device`);
  return runtime;
}

/** The device's name in reports: the proxy's id, as QEMU users know it. */
const labelOf = (obj: QomObject): string => `virtio-mem device '${obj.parent?.id ?? obj.path()}'`;

const early = (rt: VirtioMemRuntime): boolean => rt.state.setup.earlyMigration;

function sanityChecks(rt: VirtioMemRuntime): VmField {
  const { addr, regionSize, blockSize, nodeId } = rt.state.setup;
  return vmStruct(vmSection(SANITY, 1, { addr: vmU64(addr), region_size: vmU64(regionSize), block_size: vmU64(blockSize), node: vmU32(nodeId) }));
}

/**
 * The tmp's post_load (virtio_mem_mig_sanity_checks_post_load) inside `vmsd`'s `tmp` field. The
 * sanity-checks description sets no version_id, so the loader reports 0 for both versions.
 */
function checkSanity(rt: VirtioMemRuntime, vmsd: string, tmp: VmReader, release: Release): void {
  withinField({ vmsd, field: 'tmp', info: 'tmp', passesError: tmpPassesError(release) }, () => {
    try {
      sanityPostLoad(rt, tmp);
    } catch (e) {
      if (e instanceof HotmemError) throw raisedAt(e, { kind: 'post-load', vmsd: SANITY, version: 0, minimumVersion: 0, ret: -EINVAL });
      throw e;
    }
  });
}

function sanityPostLoad(rt: VirtioMemRuntime, tmp: VmReader): void {
  const e = virtioMemMigrationErrors;
  const { addr, regionSize, blockSize, nodeId } = rt.state.setup;
  const incoming = { addr: tmp.size('addr'), regionSize: tmp.size('region_size'), blockSize: tmp.size('block_size'), node: tmp.u32('node') };
  if (incoming.addr !== addr) throw e.error('virtio-mem.mig-addr', { from: incoming.addr, to: addr });
  // "Preparation for resizeable memory regions": the maximum size must not change.
  if (incoming.regionSize !== regionSize) throw e.error('virtio-mem.mig-region-size', { from: incoming.regionSize, to: regionSize });
  if (incoming.blockSize !== blockSize) throw e.error('virtio-mem.mig-block-size', { from: incoming.blockSize, to: blockSize });
  if (incoming.node !== nodeId) throw e.error('virtio-mem.mig-node', { from: incoming.node, to: nodeId });
}

const bitmapField = (rt: VirtioMemRuntime): VmField => vmBitmap(rt.state.bitmap.blocks, rt.state.bitmap.bytes());

/** VMSTATE_BITMAP loads into the destination's bitmap of bitmap_size bits (equal once the sanity checks passed). */
function loadBitmap(rt: VirtioMemRuntime, incoming: { readonly bits: number; readonly bytes: Uint8Array }): void {
  const bitmap = rt.state.bitmap;
  bitmap.clear();
  let start = -1;
  for (let i = 0; i <= incoming.bits; i++) {
    const plugged = i < incoming.bits && (incoming.bytes[i >> 3]! & (1 << (i & 7))) !== 0;
    if (plugged && start < 0) start = i;
    if (!plugged && start >= 0) {
      bitmap.set(start, i - start, true);
      start = -1;
    }
  }
}

/** virtio_mem_restore_unplugged: "Make sure all memory is really discarded after migration." */
function restoreUnplugged(rt: VirtioMemRuntime): void {
  const { blockSize } = rt.state.setup;
  for (const run of rt.state.bitmap.runs(false)) {
    const done = discardRange(rt.block, run.first * blockSize, run.count * blockSize, rt.env.hostPageSize);
    if (done.kind === 'error') rt.env.report(`ram_block_discard_range failed: ${done.errno}`);
  }
}

function prealloc(rt: VirtioMemRuntime): void {
  const { blockSize } = rt.state.setup;
  for (const run of rt.state.bitmap.runs(true)) {
    const done = rt.block.mapping?.populate(run.first * blockSize, run.count * blockSize, 'write');
    if (done && done.kind !== 'done')
      throw virtioMemMigrationErrors.error('virtio-mem.mig-prealloc', { error: done.kind === 'error' ? done.errno : 'blocked' });
  }
}

/**
 * The guest acked bits this destination does not offer: say which, and for
 * VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE why the destination's `auto` resolved the other way.
 */
function explainFeatures(rt: VirtioMemRuntime, incoming: bigint): string {
  const missing = FeatureSet.fromWord(incoming).minus(rt.hostFeatures);
  const names = featureNames(missing, VIRTIO_MEM_FEATURE_NAMES, TRANSPORT_FEATURE_NAMES).join(', ');
  const lines = [`the guest acked ${names} on the source, which this destination does not offer`];
  if (missing.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)) {
    const block = rt.block;
    const zeropage = !block.shared && !block.hasFd && block.pageSize === rt.env.hostPageSize;
    lines.push(
      `unplugged-inaccessible is 'off' here but was 'on' on the source; it is not migrated, so both sides must resolve it alike. ` +
        `'auto' resolves to 'off' exactly when the memdev has the shared zeropage: memdev RAMBlock '${block.name}' here is ` +
        `${block.shared ? 'shared' : 'private'}, ${block.hasFd ? 'fd-backed' : 'without an fd'}, with ${block.pageSize}-byte pages ` +
        `(${zeropage ? 'it has' : 'it has not'} the shared zeropage)`,
    );
  }
  return lines.join('; ');
}

function incomingFeatures(virtio: VmReader): bigint {
  return virtio.subsection('virtio/64bit_features')?.u64('guest_features') ?? BigInt(virtio.u32('guest_features_lo'));
}

const VIRTIO_MEM_SECTION: VmStateDescription = {
  name: 'virtio-mem',
  version: 1,
  minVersion: 1,
  // MIG_PRI_VIRTIO_MEM sits on the nested vdc->vmsd (virtio-mem-device), where savevm never reads it.
  priority: MIG_PRI.DEFAULT,
  earlySetup: false,
  registered: () => true,
  save(obj) {
    const rt = runtimeOf(obj);
    const s = rt.state;
    const fields: Record<string, VmField> = {};
    if (!early(rt)) fields.tmp = sanityChecks(rt);
    fields.usable_region_size = vmU64(s.usableRegionSize);
    if (!early(rt)) fields.size = vmU64(rt.pluggedSize());
    fields.requested_size = vmU64(s.requestedSize);
    if (!early(rt)) fields.bitmap = bitmapField(rt);
    return vmSection('virtio-mem', 1, { [VIRTIO_FIELD]: vmStruct(saveVirtioDevice(rt, vmSection(DEVICE, 1, fields), queuesOf(obj))) });
  },
  check(obj, incoming) {
    const rt = runtimeOf(obj);
    const virtio = incoming.struct(VIRTIO_FIELD);
    try {
      checkVirtioDevice(
        rt,
        virtio,
        { name: 'virtio-mem', device: DEVICE },
        (device) => {
          if (!early(rt)) checkSanity(rt, DEVICE, device.struct('tmp'), obj.model.env.release);
          device.size('usable_region_size');
          if (!early(rt)) device.size('size');
          device.size('requested_size');
          if (!early(rt)) device.bitmap('bitmap');
        },
        queuesOf(obj),
      );
    } catch (e) {
      if (e instanceof HotmemError && e.code === 'migration.virtio-features') {
        throw new HotmemError(e.code, e.message, { ...e.details, explanation: explainFeatures(rt, incomingFeatures(virtio)) });
      }
      throw e;
    }
    // The reverse mismatch loads in QEMU (validate_features is not called on load), but replaying
    // FEATURES_OK through the transport would be refused: say so before changing anything.
    const status = deviceStatus(virtio.u8('status'));
    const features = FeatureSet.fromWord(incomingFeatures(virtio));
    if (
      hasStatus(status, STATUS_FEATURES_OK) &&
      rt.hostFeatures.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE) &&
      !features.has(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)
    ) {
      throw migrationErrors.error('migration.virtio-core-replay', {
        device: labelOf(obj),
        what: 'this destination offers VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE, the guest did not ack it, and replaying FEATURES_OK would be refused',
      });
    }
  },
  apply(obj, incoming, ctx) {
    const rt = runtimeOf(obj);
    return applyVirtioDevice(rt, incoming.struct(VIRTIO_FIELD), DEVICE, labelOf(obj), (device) => {
      const warnings: Warning[] = [];
      rt.state.usableRegionSize = device.size('usable_region_size');
      rt.state.requestedSize = device.size('requested_size');
      if (!early(rt)) loadBitmap(rt, device.bitmap('bitmap'));
      // virtio_mem_post_load (8.0+ warns about prealloc without early migration).
      if (rt.state.setup.prealloc && !early(rt) && compareReleases(ctx.release, { major: 8, minor: 0 }) >= 0) {
        warnings.push(virtioMemErrors.warning('virtio-mem.warn-early-migration'));
      }
      if (ctx.postcopy !== 'active') restoreUnplugged(rt);
      return warnings;
    });
  },
};

const VIRTIO_MEM_EARLY_SECTION: VmStateDescription = {
  name: EARLY_SECTION,
  version: 1,
  minVersion: 1,
  priority: MIG_PRI.DEFAULT,
  earlySetup: true,
  registered: (obj) => early(runtimeOf(obj)),
  save(obj) {
    const rt = runtimeOf(obj);
    return vmSection(EARLY_SECTION, 1, { tmp: sanityChecks(rt), size: vmU64(rt.pluggedSize()), bitmap: bitmapField(rt) });
  },
  check(obj, incoming) {
    checkSanity(runtimeOf(obj), EARLY_SECTION, incoming.struct('tmp'), obj.model.env.release);
    incoming.size('size');
    incoming.bitmap('bitmap');
  },
  apply(obj, incoming, ctx) {
    const rt = runtimeOf(obj);
    loadBitmap(rt, incoming.bitmap('bitmap'));
    // virtio_mem_post_load_early: preallocate plugged memory before RAM arrives; postcopy wants
    // a clean slate, so everything is discarded again once that was shown to work.
    if (rt.state.setup.prealloc) {
      prealloc(rt);
      if (ctx.postcopy !== 'none') discardRange(rt.block, 0, rt.block.size, rt.env.hostPageSize);
    }
    return [];
  },
};

/** virtio-mem's sections, in registration order (dc->vmsd at realize, then the early one). */
export const VIRTIO_MEM_VMSTATE: readonly VmStateDescription[] = [VIRTIO_MEM_SECTION, VIRTIO_MEM_EARLY_SECTION];

/** virtio-mem as the RamDiscardManager of its memdev: plugged blocks are populated. */
export const VIRTIO_MEM_RAM_DISCARD: RamDiscardManager = {
  block: (obj) => obj.slots.get(VIRTIO_MEM_RUNTIME)?.block,
  populated(obj): BlockRange[] {
    const rt = runtimeOf(obj);
    const { blockSize } = rt.state.setup;
    return [...rt.state.bitmap.runs(true)].map((r) => ({ offset: r.first * blockSize, length: r.count * blockSize }));
  },
};
