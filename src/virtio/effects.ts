/**
 * What the virtio core asks the outside world to do or to know, returned as data so the core
 * stays pure: whoever drives the machine turns these into interrupts, log lines and records.
 */

/**
 * QEMU's ResetType as far as device resets go (include/hw/resettable.h): COLD always;
 * SNAPSHOT_LOAD since 9.1; WAKEUP (resume from suspend-to-RAM) since 9.2. The s390 CPU reset
 * types reset CPUs, not devices, and are left out.
 */
export type SystemResetType = 'cold' | 'snapshot-load' | 'wakeup';

/**
 * The two resets a virtio device sees. A device reset comes from the driver writing 0 to the
 * status register or from the parent bus (e.g. an s390 subsystem reset); a system reset is
 * qemu_devices_reset() for the whole machine. They differ for virtio-mem: the spec forbids
 * changing block state on device reset (virtio 1.2 §5.15.5.2) while a system reset unplugs all.
 */
export type ResetRequest = { readonly kind: 'device'; readonly cause: 'driver' | 'bus' } | { readonly kind: 'system'; readonly type: SystemResetType };

/** An effect of a core operation. */
export type VirtioEffect =
  /** A configuration-change interrupt; `generation` is the config generation after it. */
  | { readonly kind: 'config-change'; readonly generation: number }
  /** A message QEMU prints with error_report() (stderr, prefixed with the program name). */
  | { readonly kind: 'error-report'; readonly message: string }
  /** A message QEMU logs with qemu_log_mask(LOG_GUEST_ERROR): shown only with `-d guest_errors`. */
  | { readonly kind: 'guest-error-log'; readonly message: string }
  /** A reset was dispatched to the device; the record of it. */
  | { readonly kind: 'reset'; readonly reset: ResetRequest };
