/**
 * VMSTATE_VIRTIO_DEVICE: the generic part every virtio device's section carries (hw/virtio/
 * virtio.c virtio_save / virtio_load, 7.2). The modelled fields are the status byte, the guest
 * features (low word, and the `virtio/64bit_features` subsection when high bits are set, as
 * they are for every VERSION_1 driver) and the `virtio/broken` subsection; the device's own
 * description (vdc->vmsd) is nested in between, as virtio_save writes it. Of the queues, their
 * count and each one's vring.num travel (src/virtio/queue-sizes.ts: what a release allocates and
 * whether its virtio_load checks them); ring addresses and indices are not modelled: hotmem's
 * queues hold no ring state. The config buffer is regenerated from device state on every read.
 *
 * virtio_load loads the device part (running its post_load) before it checks the features, so
 * a device's own sanity checks fail first.
 */
import type { HotmemError, Warning } from '../core/errors.js';
import type { Release } from '../core/release.js';
import { FeatureSet } from '../virtio/feature-set.js';
import { refusedRing } from '../virtio/queue-sizes.js';
import { deviceStatus, type DeviceStatus } from '../virtio/status.js';
import { migrationErrors } from './errors.js';
import { raisedAt, withinField } from './vmstate-failure.js';
import { vmBool, vmSection, vmStruct, vmU32, vmU64, vmU8, type VmReader, type VmSection } from './vmstate.js';

/** What the generic part needs from a running virtio device: its core, and its transport to restore it. */
export interface VirtioCoreAccess {
  readonly hostFeatures: FeatureSet;
  readonly guestFeatures: FeatureSet;
  readonly broken: boolean;
  readStatus(): DeviceStatus;
  writeStatus(status: DeviceStatus): void;
  writeDriverFeatures(features: FeatureSet): void;
  /** What virtio_load does after the fields are in (start_on_kick). */
  finishLoad(): void;
}

/** The field name VMSTATE_VIRTIO_DEVICE gives the nested section. */
export const VIRTIO_FIELD = 'virtio';

const LOW_WORD = 0xffffffffn;

/** The device's queues as this release runs them (vring.num), and the most each can take. */
export interface VirtioQueues {
  readonly release: Release;
  readonly sizes: readonly number[];
}

const ringField = (index: number): string => `vq${index}.vring.num`;

export function saveVirtioDevice(core: VirtioCoreAccess, device: VmSection, queues: VirtioQueues): VmSection {
  const features = core.guestFeatures.word;
  const subsections: VmSection[] = [];
  if (features >> 32n !== 0n) subsections.push(vmSection('virtio/64bit_features', 1, { guest_features: vmU64(features) }));
  if (core.broken) subsections.push(vmSection('virtio/broken', 1, { broken: vmBool(true) }));
  const rings = Object.fromEntries(queues.sizes.map((num, i) => [ringField(i), vmU32(num)]));
  return vmSection(
    VIRTIO_FIELD,
    1,
    {
      status: vmU8(core.readStatus()),
      guest_features_lo: vmU32(Number(features & LOW_WORD)),
      num_queues: vmU32(queues.sizes.length),
      ...rings,
      [device.name]: vmStruct(device),
    },
    subsections,
  );
}

interface IncomingCore {
  readonly status: DeviceStatus;
  readonly features: bigint;
  readonly broken: boolean;
}

function incomingCore(virtio: VmReader): IncomingCore {
  const status = deviceStatus(virtio.u8('status'));
  const low = BigInt(virtio.u32('guest_features_lo'));
  const wide = virtio.subsection('virtio/64bit_features');
  const broken = virtio.subsection('virtio/broken')?.bool('broken') ?? false;
  return { status, features: wide ? wide.u64('guest_features') : low, broken };
}

/**
 * virtio_load's checks in its order: the queues' rings, then the device part, then the
 * features. Throws QEMU's message; changes nothing.
 */
export function checkVirtioDevice(
  core: VirtioCoreAccess,
  virtio: VmReader,
  section: { readonly name: string; readonly device: string },
  checkDevice: (device: VmReader) => void,
  queues: VirtioQueues,
): void {
  // virtio_load error_report()s its own checks and hands no Error up past its field.
  const reported = (e: HotmemError) => raisedAt(e, { kind: 'reported' });
  withinField({ vmsd: section.name, field: VIRTIO_FIELD, info: VIRTIO_FIELD, passesError: false }, () => {
    const incoming = incomingCore(virtio);
    const rings = Array.from({ length: virtio.u32('num_queues') }, (_, i) => virtio.u32(ringField(i)));
    const refused = refusedRing(queues.release, rings, queues.sizes);
    if (refused) throw reported(migrationErrors.error('migration.vring-num', refused));
    checkDevice(virtio.struct(section.device));
    // virtio_set_features_nocheck refuses bits the destination does not offer.
    if (!FeatureSet.fromWord(incoming.features).isSubsetOf(core.hostFeatures)) {
      throw reported(migrationErrors.error('migration.virtio-features', { features: incoming.features, allowed: core.hostFeatures.word }));
    }
  });
}

/**
 * Loads a checked section: the device part, then the core. hotmem restores the core through the
 * driver's side of the transport (features, then status) because the device runtime exposes no
 * other way; a state that replay cannot reach is reported instead of silently differing.
 */
export function applyVirtioDevice(
  core: VirtioCoreAccess,
  virtio: VmReader,
  deviceName: string,
  label: string,
  applyDevice: (device: VmReader) => readonly Warning[],
): readonly Warning[] {
  const incoming = incomingCore(virtio);
  const warnings = applyDevice(virtio.struct(deviceName));
  if (incoming.broken) throw migrationErrors.error('migration.virtio-core-replay', { device: label, what: 'it was marked broken on the source' });
  const features = FeatureSet.fromWord(incoming.features);
  core.writeDriverFeatures(features);
  if (incoming.status !== 0) core.writeStatus(incoming.status);
  if (core.readStatus() !== incoming.status || !core.guestFeatures.equals(features)) {
    throw migrationErrors.error('migration.virtio-core-replay', {
      device: label,
      what: `status ${incoming.status} with features ${features.toString()} was refused`,
    });
  }
  core.finishLoad();
  return warnings;
}
