/**
 * Unplugging a virtio memory device over PCI (virtio-mem-pci, virtio-pmem-pci). Before 8.1 the
 * pc machine refused them all; 8.1 added virtio-md-pci, which asks the device type's own
 * unplug_request_check and refuses the types without one (virtio-pmem-pci).
 */
import { defineErrors } from '../core/errors.js';
import { compareReleases, type Release } from '../core/release.js';

export const virtioMdErrors = defineErrors({
  'virtio-md.unplug-unsupported': () => 'virtio based memory devices cannot be unplugged.',
  // "devices" is QEMU's grammar.
  'virtio-md.unplug-no-check': () => 'this virtio based memory devices cannot be unplugged',
});

/** virtio_md_pci_unplug_request's verdict; `check` is the type's unplug_request_check, if it has one. */
export function virtioMdUnplugRequest(release: Release, check: (() => void) | undefined): void {
  if (compareReleases(release, { major: 8, minor: 1 }) < 0) throw virtioMdErrors.error('virtio-md.unplug-unsupported');
  if (!check) throw virtioMdErrors.error('virtio-md.unplug-no-check');
  check();
}
