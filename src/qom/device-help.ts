/**
 * `-device TYPE,help` (qdev_device_help, which asks qmp_device_list_properties): an alias is
 * resolved first; a type that is not a non-abstract device is refused in the release's words.
 * A modelled type prints from its own property table, any other from the table read from the
 * release's binary (compat/devices/).
 */
import { compareReleases, type Release } from '../core/release.js';
import { noDeviceTable, type DeviceData } from './device-data/load.js';
import { deviceOptionsHelp, tableOptionsHelp } from './help.js';
import type { ObjectModel } from './object-model.js';

/** What QEMU prints, and its exit status: it counts a refused help as given (0). */
export type DeviceHelpAnswer = { readonly text: string; readonly status: 0 } | { readonly error: string; readonly status: 0 | 1 };

/**
 * qmp_device_list_properties' refusals. Until 5.2 a non-device and an abstract device had their
 * own wording; 6.0 (Markus Armbruster's "Tweak a few 'Parameter NAME expects THING' error
 * messages", December 2020) made both "a non-abstract device type".
 */
export function notListable(release: Release, isDevice: boolean): string {
  if (compareReleases(release, { major: 6, minor: 0 }) >= 0) return "Parameter 'typename' expects a non-abstract device type";
  return isDevice ? "Parameter 'typename' expects non-abstract device type" : "Parameter 'typename' expects device";
}

export function deviceHelp(model: ObjectModel, data: DeviceData | undefined, requested: string): DeviceHelpAnswer {
  const release = model.env.release;
  const view = model.view;
  // qdev_device_help looks the alias up only when no class has the name itself.
  const known = (name: string) => (data ? data.type(name) !== undefined : view.exists(name));
  const driver = known(requested) ? requested : (data?.aliasTarget(requested) ?? requested);
  if (!known(driver)) return data ? { error: `Device '${driver}' not found`, status: 0 } : { error: noDeviceTable(release).message, status: 1 };
  const isDevice = data ? data.isA(driver, 'device') : view.isA(driver, 'device');
  const abstract = data ? data.type(driver)![2] : view.isAbstract(driver);
  if (!isDevice || abstract) return { error: notListable(release, isDevice), status: 0 };
  // An opaque type's help is its table's, as the binary printed it, and so is a modelled type's built from it.
  const info = view.exists(driver) ? view.info(driver) : undefined;
  if (info && info.opaque !== true && info.helpFromData !== true) return { text: deviceOptionsHelp(model, driver), status: 0 };
  const props = data?.properties(driver);
  if (!props) throw new Error(`internal: ${driver} is a non-abstract device of the release's table without properties`);
  // A module that does not load makes QEMU exit at once.
  if (props.kind === 'unloadable') return { error: props.message, status: 1 };
  return { text: tableOptionsHelp(release, driver, props.rows), status: 0 };
}
