/**
 * What virtio_pci_realize (hw/virtio/virtio-pci.c) writes back into a virtio-pci proxy's own
 * fields, so qom-get reads the resolved values after realize, as it does on QEMU 5.2.0, 7.2.22
 * and 10.0.13:
 * - `disable-legacy=auto` becomes `on` behind a PCIe port and `off` on any other bus;
 * - a modern-only device (virtio_pci_force_virtio_1, called by virtio-mem-pci's realize) then
 *   has `disable-legacy=on` and `disable-modern=off`, whatever was set.
 * A proxy's own device-specific defaults (the balloon's vectors) stay with its device.
 */
import type { QomObject } from '../qom/object.js';

export interface VirtioPciProxyPlacement {
  /** The proxy sits behind a PCIe port (an express bus that is not a root bus). */
  readonly behindPciePort: boolean;
  /** The device has no legacy interface (virtio_pci_force_virtio_1). */
  readonly modernOnly: boolean;
}

export function resolveVirtioPciProxy(proxy: QomObject, placement: VirtioPciProxyPlacement): void {
  if (proxy.get('disable-legacy') === 'auto') proxy.values.set('disable-legacy', placement.behindPciePort ? 'on' : 'off');
  if (placement.modernOnly) {
    proxy.values.set('disable-legacy', 'on');
    proxy.values.set('disable-modern', false);
  }
}

/** Whether the proxy exposes the modern (virtio 1.x) interface, read after resolveVirtioPciProxy. */
export const virtioPciModern = (proxy: QomObject): boolean => proxy.get('disable-modern') !== true;
