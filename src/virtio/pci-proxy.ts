/**
 * What virtio_pci_realize (hw/virtio/virtio-pci.c) writes back into a virtio-pci proxy's own
 * fields, so qom-get reads the resolved values after realize, as it does on QEMU 5.2.0, 7.2.22
 * and 10.0.13:
 * - `disable-legacy=auto` becomes `on` behind a PCIe port and `off` on any other bus;
 * - a modern-only device (virtio_pci_force_virtio_1, called by virtio-mem-pci's realize) then
 *   has `disable-legacy=on` and `disable-modern=off`, whatever was set.
 * Some devices' PCI proxies declare their own `ioeventfd` and `vectors` (the balloon's and
 * virtio-mem's from 10.0) and pick a vector count at realize.
 */
import type { QomObject } from '../qom/object.js';
import type { PropertyDef } from '../qom/property.js';

/** DEV_NVECTORS_UNSPECIFIED: the value a proxy's own `vectors` has until its realize picks one. */
const VECTORS_UNSPECIFIED = 0xffffffff;

/** A proxy's own `ioeventfd` bit and `vectors` field, in releases `since` on. */
export const proxyIoProperties = (since: string): readonly PropertyDef[] => [
  { name: 'ioeventfd', since, type: { kind: 'bool' }, origin: 'field', description: 'on/off', default: true },
  { name: 'vectors', since, type: { kind: 'uint32' }, origin: 'field', default: VECTORS_UNSPECIFIED },
];

/** The proxy's realize: `count` vectors unless set, where the release has the field (qom-get reads it after). */
export function defaultVectors(proxy: QomObject, count: number): void {
  if (proxy.model.view.properties(proxy.type).has('vectors') && proxy.get('vectors') === VECTORS_UNSPECIFIED) proxy.store('vectors', count);
}

export interface VirtioPciProxyPlacement {
  /** The proxy sits behind a PCIe port (an express bus that is not a root bus). */
  readonly behindPciePort: boolean;
  /** The device has no legacy interface (virtio_pci_force_virtio_1). */
  readonly modernOnly: boolean;
}

export function resolveVirtioPciProxy(proxy: QomObject, placement: VirtioPciProxyPlacement): void {
  if (proxy.get('disable-legacy') === 'auto') proxy.store('disable-legacy', placement.behindPciePort ? 'on' : 'off');
  if (placement.modernOnly) {
    proxy.store('disable-legacy', 'on');
    proxy.store('disable-modern', false);
  }
}

/** Whether the proxy exposes the modern (virtio 1.x) interface, read after resolveVirtioPciProxy. */
export const virtioPciModern = (proxy: QomObject): boolean => proxy.get('disable-modern') !== true;
