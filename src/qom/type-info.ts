/**
 * A QOM type: its place in the single-inheritance tree, its interfaces, its property table, the
 * children it owns and its lifecycle hooks. Everything about a type is declared here once.
 */
import type { Arch } from '../core/arch.js';
import type { Key } from '../core/keys.js';
import type { Warning } from '../core/errors.js';
import type { ReleaseWindow } from '../core/release.js';
import type { QomObject } from './object.js';
import type { PropertyDef, QomValue } from './property.js';

/** A child object created with its parent, e.g. a virtio proxy's `virtio-backend`. */
export interface ChildDef {
  readonly name: string;
  readonly type: string;
  /**
   * qdev_alias_all_properties: every class property of the child also appears on the parent,
   * forwarding reads and writes. `extraAliases` adds instance properties aliased explicitly.
   */
  readonly aliasClassProperties?: boolean;
  readonly extraAliases?: readonly string[];
  /**
   * The parent's own check before an aliased write is forwarded, where QEMU's parent has a setter
   * of its own (virtio-mem-pci's requested-size refuses while the device is being unplugged);
   * it throws to refuse.
   */
  readonly beforeAliasWrite?: (parent: QomObject, property: string) => void;
}

/**
 * Class data a layer defines the shape of, as QEMU's class structs carry interface methods
 * (MemoryDeviceClass, HotplugHandlerClass): the layer owns the key, the type supplies the value.
 */
export interface Implementation<T = unknown> {
  readonly key: Key<T>;
  readonly impl: T;
}

export const implement = <T>(key: Key<T>, impl: T): Implementation => ({ key: key, impl });

/** `-device help` groups devices into these categories, in this order (system/qdev-monitor.c). */
export const DEVICE_CATEGORIES = [
  'Controller/Bridge/Hub',
  'USB',
  'Storage',
  'Network',
  'Input',
  'Display',
  'Sound',
  'Misc',
  'CPU',
  'Watchdog',
  'Uncategorized',
] as const;
export type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];

export interface TypeInfo extends ReleaseWindow {
  readonly name: string;
  readonly parent?: string;
  readonly abstract?: boolean;
  readonly interfaces?: readonly string[];
  readonly description?: string;
  /** Targets whose build has the type (absent: every target). */
  readonly targets?: readonly Arch[];
  readonly properties?: readonly PropertyDef[];
  readonly children?: readonly ChildDef[];
  /** For devices: may be created with -device/device_add, and is listed by `-device help`. */
  readonly userCreatable?: boolean;
  /** A device type built from the release's device data (opaque-device.ts): no behaviour. */
  readonly opaque?: boolean;
  /** A modelled device type whose property table is the release's device data: `-device X,help` prints that table. */
  readonly helpFromData?: boolean;
  /** For devices: can be added after machine start (DeviceClass.hotpluggable). */
  readonly hotpluggable?: boolean;
  readonly category?: DeviceCategory;
  /** The bus type a device plugs into, as `-device help` shows it (`PCI`, `virtio-bus`). */
  readonly bus?: string;
  /**
   * What instance_post_init applies: devices take compat properties then -global
   * (device_post_init); memory backends take compat properties only
   * (host_memory_backend_post_init). Inherited from the nearest ancestor that says.
   */
  readonly postInit?: 'compat' | 'compat-and-globals';
  /**
   * user_creatable_can_be_deleted: object-del refuses while this returns false (QEMU's generic
   * "in use" message) or a refusal in the type's own words (a prepare_delete hook).
   */
  readonly canBeDeleted?: (obj: QomObject) => boolean | { readonly refusal: string };
  /** Initial values a subtype gives inherited properties (memfd's share=on), nearest type winning. */
  readonly defaultOverrides?: Readonly<Record<string, QomValue>>;
  /** Interface methods and class data, found nearest-first through the ancestry. */
  readonly implementations?: readonly Implementation[];
  /** Runs after all properties are set (device realize, or user_creatable complete for objects). */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- realize hooks without warnings return nothing
  readonly realize?: (obj: QomObject) => readonly Warning[] | void;
  readonly unrealize?: (obj: QomObject) => void;
}
