/**
 * Reading a cell's observations off its machine and guest: effective properties right after
 * start-up, a virtio device's offered and negotiated features and status (the names
 * x-query-virtio-status uses, without their descriptions), memory devices' plugged sizes, the
 * guest kernel's errors, and the host memory figures of the QEMU process.
 */
import { HotmemError } from '../core/errors.js';
import { releaseName, type Release } from '../core/release.js';
import type { MemoryMeasure } from '../frontends/yaml/definition.js';
import { comparisonText } from '../frontends/yaml/expectations.js';
import { measure } from '../frontends/yaml/run.js';
import type { LinuxGuest } from '../guest/linux-guest.js';
import type { Machine } from '../machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../machine/memory-device.js';
import type { QomObject } from '../qom/object.js';
import { FeatureSet, featureNames } from '../virtio/feature-set.js';
import { TRANSPORT_FEATURE_NAMES } from '../virtio/transport-features.js';
import { decodeFeatures, decodeStatus, VIRTIO_STATUS, type VirtioStatusView } from '../virtio/qmp-status.js';
import { featureObservation, GUEST_ERRORS, GUEST_WHY, pluggedObservation } from './observation-names.js';
import { explainBalloon } from '../why/balloon.js';
import { explainMemoryDevices } from '../why/explain.js';

/** QOM's name for the virtio device a transport proxy (virtio-*-pci, -ccw) owns. */
const VIRTIO_BACKEND = 'virtio-backend';

/** The property's value as rules compare it, or why there is none (QEMU's words where it has them). */
export function readProperty(machine: Machine, path: string, property: string): string {
  try {
    const object = machine.model.resolvePath(path);
    return object ? comparisonText(object.get(property)) : `no object at '${path}'`;
  } catch (e) {
    if (e instanceof HotmemError) return e.message;
    throw e;
  }
}

function findDevice(machine: Machine, id: string): QomObject | undefined {
  return machine.model.container('/machine/peripheral').child(id) ?? machine.model.resolvePath(id);
}

function statusView(machine: Machine, device: QomObject): VirtioStatusView | undefined {
  for (const candidate of [device, device.child(VIRTIO_BACKEND)]) {
    const view = candidate && machine.model.view.implementation(candidate.type, VIRTIO_STATUS)?.(candidate);
    if (view) return view;
  }
  return undefined;
}

/** `VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE: Unplugged memory ...` → its name. */
const shortName = (text: string): string => text.split(':')[0]!;

/** Bits below this are the device type's own (virtio spec: feature bits 0 to 23). */
const FIRST_TRANSPORT_BIT = 24;

/**
 * The bits in ascending order, by name: the device's bits as x-query-virtio-status names them,
 * transport bits by the spec's names, and any other as `bitN` (one word, as reports split the
 * list at spaces), so nothing offered is hidden.
 */
function featureText(release: Release, deviceId: number, features: FeatureSet, names: FeatureTexts): string {
  const key = `${releaseName(release)} ${deviceId} ${features.word}`;
  const known = names.get(key);
  if (known !== undefined) return known;
  const text = describeFeatures(release, deviceId, features);
  names.set(key, text);
  return text;
}

function describeFeatures(release: Release, deviceId: number, features: FeatureSet): string {
  const names = features.bits().map((bit) => {
    if (bit >= FIRST_TRANSPORT_BIT) return featureNames(FeatureSet.of(bit), TRANSPORT_FEATURE_NAMES)[0]!.replace(' ', '');
    const named = (decodeFeatures(release, deviceId, FeatureSet.of(bit)) as { 'dev-features': string[] })['dev-features'][0];
    return named === undefined ? `bit${bit}` : shortName(named);
  });
  return names.length === 0 ? 'none' : names.join(' ');
}

function statusText(release: Release, view: VirtioStatusView): string {
  const statuses = (decodeStatus(release, view.status) as { statuses: string[] }).statuses.map((s) => shortName(s).replace(/^VIRTIO_CONFIG_S_/, ''));
  if (view.broken) statuses.push('broken');
  return statuses.length === 0 ? 'none' : statuses.join(' ');
}

/**
 * Feature words already put into words, by device id and word: thousands of cells offer and
 * negotiate the same few words.
 */
export type FeatureTexts = Map<string, string>;

export function readFeatures(machine: Machine, id: string, texts: FeatureTexts): Array<readonly [string, string]> {
  const device = findDevice(machine, id);
  const view = device && statusView(machine, device);
  if (!view) {
    const missing = device ? `'${id}' is not a virtio device` : `no device '${id}'`;
    return (['offered', 'negotiated', 'status'] as const).map((w) => [featureObservation(id, w), missing] as const);
  }
  return [
    [featureObservation(id, 'offered'), featureText(machine.release, view.deviceId, view.hostFeatures, texts)],
    [featureObservation(id, 'negotiated'), featureText(machine.release, view.deviceId, view.guestFeatures, texts)],
    [featureObservation(id, 'status'), statusText(machine.release, view)],
  ];
}

/** Each memory device's plugged size, and the guest kernel's errors and why devices ended as they did when there is a guest. */
export function readGuest(machine: Machine, guest: LinuxGuest | undefined): Array<readonly [string, string]> {
  const plugged = machine.memoryDevices().map((d) => {
    const ops = machine.model.view.implementation(d.type, MEMORY_DEVICE_OPS)!;
    return [pluggedObservation(d.id ?? d.path()), String(ops.pluggedSize(d))] as const;
  });
  if (!guest) return plugged;
  const errors = guest.dmesg().flatMap((e) => (e.kind === 'warn-on' ? [`WARN_ON(${e.condition}) in ${e.fn}`] : e.level === 'err' ? [e.text] : []));
  const whys = [...explainMemoryDevices(machine, guest), ...explainBalloon(machine, guest)].map((w) => w.text);
  return [...plugged, [GUEST_ERRORS, errors.length === 0 ? 'none' : errors.join('; ')], [GUEST_WHY, whys.length === 0 ? 'none' : whys.join(' ')]];
}

export function readMemory(machine: Machine, measures: readonly MemoryMeasure[]): Record<string, number> {
  const status = machine.process.status();
  const out: Record<string, number> = {};
  for (const m of measures) out[m] = measure(status, machine.process.host.totalBytes, m);
  return out;
}
