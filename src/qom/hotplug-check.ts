/**
 * Where device_add checks DeviceClass.hotpluggable, which decides what a type that is not
 * hotpluggable is told and what is checked before it (system/qdev-monitor.c):
 *
 * - before 10.0, qdev_get_device_class refuses it with the user-creatable check (`Parameter
 *   'driver' expects a pluggable device type`), before the bus is looked up; the bus's hotplug
 *   is checked next, before the device is created;
 * - from 10.0 (Odaki's "hw/core: Unify hotplug decision logic", merged January 2025)
 *   qdev_hotplug_allowed checks it once the device is created, before its id and properties:
 *   `Device 'X' does not support hotplugging`, then the bus's hotplug. device_del checks the
 *   class before the bus from then on, the bus first before.
 *
 * Real 5.2.0 and 7.2.22 give the first (VGA on pc), 10.0.13 and 11.1.3 the second.
 */
import { compareReleases, type Release } from '../core/release.js';

export const classCheckedAtLookup = (release: Release): boolean => compareReleases(release, { major: 10, minor: 0 }) < 0;
