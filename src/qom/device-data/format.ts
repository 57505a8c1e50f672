/**
 * The shape of compat/devices/: per release and target, the device types `-device help` lists
 * and, for each, its property table as QMP device-list-properties reports it; every QOM type with
 * its parent. Written by scripts/device-data.ts from the real binaries.
 */
import type { Arch } from '../../core/arch.js';
import type { DeviceCategory } from '../type-info.js';

/**
 * One property: name, type, then description (null when QEMU has none but a default follows)
 * and the default value as QMP reports it (absent when QEMU has none).
 */
export type PropertyRow =
  | readonly [name: string, type: string]
  | readonly [name: string, type: string, description: string]
  | readonly [name: string, type: string, description: string | null, defaultValue: DefaultValue];

/**
 * A default as QMP's default-value carries it: any JSON value, with an integer beyond 2^53
 * (a uint64's UINT64_MAX) kept exact as `{ $int: "digits" }`.
 */
export type DefaultValue = null | boolean | number | string | { readonly $int: string } | readonly DefaultValue[] | { readonly [key: string]: DefaultValue };

/** One line of `-device help`. */
export interface DeviceListing {
  readonly category: DeviceCategory;
  readonly name: string;
  readonly bus?: string;
  readonly alias?: string;
  readonly desc?: string;
}

/**
 * A device type's properties: the key of its table in properties.json, or, for a device the
 * binary cannot instantiate (its module does not load in the root it was read from), the message
 * device-list-properties and `-device TYPE,help` give.
 */
export type PropertyTable = string | { readonly error: string };

/** qom-list-types with abstract types: name, parent (null for roots and interfaces), abstract. */
export type TypeRow = readonly [name: string, parent: string | null, abstract: boolean];

export interface ReleaseDevices {
  readonly release: string;
  readonly arch: Arch;
  /** Which binary the data was read from. */
  readonly source: string;
  /** The user-creatable devices, in `-device help` order. */
  readonly devices: readonly DeviceListing[];
  /**
   * DeviceClass.hotpluggable of the listed devices the binary could be asked about by device_add
   * (scripts/hotplug-probe.ts); absent from data read before the probe existed.
   */
  readonly hotpluggable?: Readonly<Record<string, boolean>>;
  /** Every non-abstract device type, listed or not (device-list-properties answers for all). */
  readonly properties: Readonly<Record<string, PropertyTable>>;
  readonly types: readonly TypeRow[];
  /** Types qom-list-types reports (it loads every module) that a fresh QEMU does not find by name. */
  readonly unknownByName: readonly string[];
}

export const isExactInteger = (value: DefaultValue): value is { readonly $int: string } =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { $int?: unknown }).$int === 'string';
