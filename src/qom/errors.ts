/**
 * The object model's errors, worded exactly as QEMU words them (qom/object.c,
 * hw/core/qdev-properties.c, system/qdev-monitor.c, qom/object_interfaces.c).
 */
import { defineErrors } from '../core/errors.js';

export const qomErrors = defineErrors({
  'qom.property-not-found': (a: { type: string; property: string }) => `Property '${a.type}.${a.property}' not found`,
  // object_property_set names the property from 7.2 on; before, it said QERR_PERMISSION_DENIED.
  'qom.property-not-writable': (a: { type: string; property: string; named: boolean }) =>
    a.named ? `Property '${a.type}.${a.property}' is not writable` : 'Insufficient permission to perform this operation',
  'qom.set-after-realize': (a: { property: string; id: string | undefined; type: string }) =>
    a.id === undefined
      ? `Attempt to set property '${a.property}' on anonymous device (type '${a.type}') after it was realized`
      : `Attempt to set property '${a.property}' on device '${a.id}' (type '${a.type}') after it was realized`,
  'qom.set-link-after-realize': (a: { property: string; id: string | undefined; type: string }) =>
    a.id === undefined
      ? `Attempt to set link property '${a.property}' on anonymous device (type '${a.type}') after it was realized`
      : `Attempt to set link property '${a.property}' on device '${a.id}' (type '${a.type}') after it was realized`,
  'qom.invalid-device-model': (a: { driver: string }) => `'${a.driver}' is not a valid device model name`,
  'qom.device-not-modelled': (a: { driver: string; release: string }) =>
    `hotmem does not model device '${a.driver}' yet (QEMU ${a.release} has it: its help and properties are known, an instance is not)`,
  'qom.driver-not-device': () => `Parameter 'driver' expects a device type`,
  // QERR_INVALID_PARAMETER_VALUE's phrases gained their article after 5.2 (real 5.2.0: `expects pluggable device type`).
  'qom.driver-abstract': (a: { article: boolean }) => `Parameter 'driver' expects ${a.article ? 'a ' : ''}non-abstract device type`,
  'qom.driver-not-pluggable': (a: { article: boolean }) => `Parameter 'driver' expects ${a.article ? 'a ' : ''}pluggable device type`,
  'qom.driver-missing': () => `Parameter 'driver' is missing`,
  // Before 6.2 the id was claimed by the QemuOpts of the "device" list (qemu_opts_create).
  'qom.duplicate-device-id': (a: { id: string; qemuOpts: boolean }) => (a.qemuOpts ? `Duplicate ID '${a.id}' for device` : `Duplicate device ID '${a.id}'`),
  'qom.invalid-identifier': (a: { name: string }) =>
    `Parameter '${a.name}' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.`,
  'qom.invalid-object-type': (a: { type: string }) => `invalid object type: ${a.type}`,
  'qom.object-not-creatable': (a: { type: string }) => `object type '${a.type}' isn't supported by object-add`,
  'qom.object-abstract': (a: { type: string }) => `object type '${a.type}' is abstract`,
  'qom.object-id-missing': () => `Parameter 'id' is missing`,
  'qom.duplicate-child': (a: { name: string; parentType: string }) => `attempt to add duplicate property '${a.name}' to object (type '${a.parentType}')`,
  'qom.object-in-use': (a: { id: string }) => `object '${a.id}' is in use, can not be deleted`,
  'qom.object-delete-refused': (a: { message: string }) => a.message,
  'qom.object-not-found': (a: { id: string }) => `object '${a.id}' not found`,
  'qom.device-not-found': (a: { id: string }) => `Device '${a.id}' not found`,
  'qom.path-not-found': (a: { path: string }) => `Device '${a.path}' not found`,
  'qom.path-ambiguous': (a: { path: string }) => `Path '${a.path}' does not uniquely identify an object`,
  'qom.link-wrong-type': (a: { property: string; expected: string }) => `Invalid parameter type for '${a.property}', expected: ${a.expected}`,
  'qom.value-type': (a: { property: string; expected: string }) => `Invalid parameter type for '${a.property}', expected: ${a.expected}`,
  'qom.global-cannot-apply': (a: { driver: string; property: string; value: string; reason: string }) =>
    `can't apply global ${a.driver}.${a.property}=${a.value}: ${a.reason}`,
  'qom.global-not-used': (a: { driver: string; property: string; value: string }) => `global ${a.driver}.${a.property}=${a.value} not used`,
  'qom.global-invalid-class': (a: { driver: string; property: string }) => `global ${a.driver}.${a.property} has invalid class name`,
  'qom.global-syntax': () => `options 'driver', 'property', and 'value' are required`,
  // hotmem-only
  'qom.global-no-value': (a: { driver: string; property: string }) =>
    `hotmem: this release registers -global ${a.driver}.${a.property} without a value and would set it from a NULL string; not modelled`,
  'qom.opaque-hotplug': (a: { driver: string }) =>
    `hotmem does not model device_add of device '${a.driver}': whether QEMU hotplugs it is not known (the release's binary could not be asked), so it is an opaque instance at start-up only`,
  'qom.hotplug-unsupported': (a: { type: string }) => `Device '${a.type}' does not support hotplugging`,
});
