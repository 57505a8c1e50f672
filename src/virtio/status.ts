/**
 * The device status byte (virtio 1.1+ §2.1; values from Linux uapi virtio_config.h
 * VIRTIO_CONFIG_S_*). The driver writes it to walk through initialisation, the device may add
 * DEVICE_NEEDS_RESET, and writing 0 resets the device.
 */
import { virtioErrors } from './errors.js';

declare const statusBrand: unique symbol;
/** The 8-bit device status register value, made only by `deviceStatus()`. */
export type DeviceStatus = number & { readonly [statusBrand]: true };

/** Checks a status byte; throws for anything outside 0..255. */
export function deviceStatus(value: number): DeviceStatus {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw virtioErrors.error('virtio.status-not-a-byte', { value });
  }
  return value as DeviceStatus;
}

export const STATUS_ACKNOWLEDGE = deviceStatus(1);
export const STATUS_DRIVER = deviceStatus(2);
export const STATUS_DRIVER_OK = deviceStatus(4);
export const STATUS_FEATURES_OK = deviceStatus(8);
export const STATUS_DEVICE_NEEDS_RESET = deviceStatus(64);
export const STATUS_FAILED = deviceStatus(128);
/** Status after a reset. */
export const STATUS_RESET = deviceStatus(0);

/** One named status bit. */
export interface StatusBitDef {
  readonly bit: DeviceStatus;
  readonly name: string;
}

/** The spec's status bits in value order, for display. */
export const STATUS_BITS: readonly StatusBitDef[] = [
  { bit: STATUS_ACKNOWLEDGE, name: 'ACKNOWLEDGE' },
  { bit: STATUS_DRIVER, name: 'DRIVER' },
  { bit: STATUS_DRIVER_OK, name: 'DRIVER_OK' },
  { bit: STATUS_FEATURES_OK, name: 'FEATURES_OK' },
  { bit: STATUS_DEVICE_NEEDS_RESET, name: 'DEVICE_NEEDS_RESET' },
  { bit: STATUS_FAILED, name: 'FAILED' },
];

/** Whether every bit of `bits` is set in `status`. */
export const hasStatus = (status: DeviceStatus, bits: DeviceStatus): boolean => (status & bits) === bits;

export const withStatus = (status: DeviceStatus, bits: DeviceStatus): DeviceStatus => deviceStatus(status | bits);

/**
 * Names of the set bits; bits the spec leaves unnamed here (SUSPEND 16 exists only with
 * virtio 1.4's VIRTIO_F_SUSPEND, which QEMU 7.2 does not know) show as hex so none is hidden.
 */
export function statusNames(status: DeviceStatus): string[] {
  const names: string[] = [];
  for (let b = 1; b <= 0x80; b <<= 1) {
    if ((status & b) === 0) continue;
    names.push(STATUS_BITS.find((d) => d.bit === b)?.name ?? `0x${b.toString(16)}`);
  }
  return names;
}
